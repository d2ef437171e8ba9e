/** `npx tsx bench/signing-main.ts [seconds] [rounds]`: the signing benchmark alone, printed as a table. */
import { benchSigning, type SigningContender } from './signing.js';

const seconds = Number(process.argv[2] ?? 2);
const rounds = Number(process.argv[3] ?? 5);
const result = await benchSigning({ seconds, rounds });

const LABEL: Record<SigningContender, string> = {
  ours: 'ours (signUpload, fast path)',
  v3: 'v3 getSignedUrl',
  v2: 'v2 getSignedUrlPromise',
  floor: 'floor (SignatureV4#presign)',
};
const HEAD = ['contender', 'URLs per CPU-s (median)', 'per round', 'URLs per wall-s (median)'];
const rows = (Object.keys(LABEL) as SigningContender[]).map((name) => [
  LABEL[name],
  result.opsPerSecond[name].toFixed(0),
  result.rounds[name].map((r) => r.toFixed(0)).join(' '),
  result.wallOpsPerSecond[name].toFixed(0),
]);
const widths = HEAD.map((_, c) => Math.max(...[HEAD, ...rows].map((row) => (row[c] as string).length)));
const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

console.log(
  `Signing, one process: ${result.secondsPerContender} s of CPU per contender over ${result.rounds.ours.length} ` +
    `interleaved rounds, after ${result.warmUpSeconds} s warm-up each (Node ${result.node}; our path: ${result.oursPath})\n`,
);
console.log(line(HEAD));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));
console.log(
  `\nours / v2    = ${result.ratios.oursOverV2.toFixed(2)}× (target ≥ ${result.targets.oursOverV2}×: ${verdict(result.met.oursOverV2)})`,
);
console.log(
  `ours / floor = ${result.ratios.oursOverFloor.toFixed(2)}× (target ≥ ${result.targets.oursOverFloor}×: ${verdict(result.met.oursOverFloor)})`,
);
console.log(`ours / v3    = ${result.ratios.oursOverV3.toFixed(2)}×`);
