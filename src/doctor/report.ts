/** The report as the terminal shows it: one line per check, details indented under it, and a tally. */
import { SYMBOLS } from './shared.js';
import { CHECK_LABELS, type CheckStatus, type DoctorReport } from './types.js';

export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${SYMBOLS[c.status]} ${CHECK_LABELS[c.name]}: ${c.summary}`);
    for (const detail of c.details) lines.push(`    ${detail}`);
  }
  const count = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
  const [failed, warned, skipped] = [count('fail'), count('warn'), count('skip')];
  const tally = [
    `${count('pass')} passed`,
    ...(warned > 0 ? [`${warned} warning${warned === 1 ? '' : 's'}`] : []),
    ...(failed > 0 ? [`${failed} failed`] : []),
    ...(skipped > 0 ? [`${skipped} not checked`] : []),
  ];
  lines.push('', `${tally.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
