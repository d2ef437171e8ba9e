/** Small helpers shared by the benchmark's parts. */

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

export const mb = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
/** Progress goes to stderr; the table to stdout. */
export const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
