/** The signing rows of the table, from bench/signing.ts (`benchSigning`, run in this process before any server). */
import { benchSigning, type SigningBenchResult } from './signing.js';
import type { Row } from './table.js';

export interface SigningReport {
  readonly rows: Row[];
  /** One line for the console. */
  readonly summary: string;
  readonly details: string[];
}

export async function signingRows(seconds: number): Promise<SigningReport> {
  return report(await benchSigning({ seconds }));
}

function report(result: SigningBenchResult): SigningReport {
  const { ours, v3, v2, floor } = result.opsPerSecond;
  const fmt = (n: number) => n.toFixed(0);
  const rates = `ours ${fmt(ours)}, v3 getSignedUrl ${fmt(v3)}, v2 ${fmt(v2)}, floor ${fmt(floor)}`;
  const rounds = Object.entries(result.rounds)
    .map(([name, values]) => `${name} ${values.map(fmt).join(' ')}`)
    .join('; ');
  return {
    summary: `signing (URLs/s, median): ${rates}; ours took the ${result.oursPath} path`,
    details: [
      `Signing (URLs/s): ${rates}; median of ${result.rounds.ours.length} interleaved rounds, ` +
        `${result.secondsPerContender} s per contender after ${result.warmUpSeconds} s warm-up; ` +
        `ours took the \`${result.oursPath}\` path of src/presign.ts. Rounds: ${rounds}`,
    ],
    rows: [
      {
        id: 'signing-v2',
        metric: 'Signing (URLs/s): ours vs AWS SDK v2 getSignedUrlPromise',
        ours: fmt(ours),
        baseline: `${fmt(v2)} (v2)`,
        ratio: result.ratios.oursOverV2,
        target: { atLeast: result.targets.oursOverV2 },
      },
      {
        id: 'signing-floor',
        metric: 'Signing (URLs/s): ours vs floor (@smithy/signature-v4 presign)',
        ours: fmt(ours),
        baseline: `${fmt(floor)} (floor)`,
        ratio: result.ratios.oursOverFloor,
        target: { atLeast: result.targets.oursOverFloor },
      },
      {
        id: 'signing-v3',
        metric: 'Signing (URLs/s): ours vs v3 getSignedUrl',
        ours: fmt(ours),
        baseline: `${fmt(v3)} (v3)`,
        ratio: result.ratios.oursOverV3,
        target: undefined,
      },
    ],
  };
}
