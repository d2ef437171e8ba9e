/** The report as the terminal shows it: one line per check, details indented under it, and a tally. */
import { SYMBOLS } from './shared.js';
import type { CheckStatus, DoctorReport } from './types.js';

export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${SYMBOLS[c.status]} ${c.summary}`);
    for (const detail of c.details) lines.push(`    ${detail}`);
  }
  const count = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
  const [failed, warned] = [count('fail'), count('warn')];
  const tally = [
    `${count('pass')} passed`,
    ...(warned > 0 ? [`${warned} warning${warned === 1 ? '' : 's'}`] : []),
    ...(failed > 0 ? [`${failed} failed`] : []),
  ];
  lines.push('', `${tally.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
