/** The one results table: metric, ours, baseline, ratio, target, met? — as Markdown that also reads in a terminal. */

export type Target = { readonly atLeast: number } | { readonly atMost: number };

export interface Row {
  /** Stable name, for the notes on what limits an unmet target. */
  readonly id: string;
  readonly metric: string;
  readonly ours: string;
  readonly baseline: string;
  /** Ours ÷ baseline. */
  readonly ratio: number;
  /** Undefined for rows shown for information only. */
  readonly target: Target | undefined;
  /** Set when the measurement itself went wrong (errors, wrong replies): the row then does not count as met. */
  readonly invalid?: string | undefined;
}

/** true/false against the target; undefined for information rows. */
export function isMet(row: Row): boolean | undefined {
  if (row.target === undefined) return undefined;
  if (row.invalid !== undefined || !Number.isFinite(row.ratio)) return false;
  return 'atLeast' in row.target ? row.ratio >= row.target.atLeast : row.ratio <= row.target.atMost;
}

const describeTarget = (target: Target | undefined) =>
  target === undefined ? '—' : 'atLeast' in target ? `≥ ${target.atLeast}×` : `≤ ${target.atMost}×`;

const describeMet = (row: Row) => {
  const met = isMet(row);
  if (met === undefined) return '—';
  if (row.invalid !== undefined) return `no (${row.invalid})`;
  return met ? 'yes' : 'NO';
};

const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—');

export function formatTable(rows: readonly Row[]): string {
  const header = ['metric', 'ours', 'baseline', 'ratio', 'target', 'met?'];
  const cells = rows.map((row) => [
    row.metric,
    row.ours,
    row.baseline,
    ratio(row.ratio),
    describeTarget(row.target),
    describeMet(row),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  // The separator spaced as Biome formats Markdown tables, so a fresh bench/RESULTS.md passes `biome check`.
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
