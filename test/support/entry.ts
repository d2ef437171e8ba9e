/**
 * How tests start the bot's own programs as real processes: the build the test run made once (test/global-setup.ts
 * compiles src/ to dist/ with tsc, as `npm run build` does), so each process starts in well under a second instead
 * of transpiling every module again.
 */
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** `node dist/main/<name>.js`: the argv for spawn(process.execPath, …). */
export const entryArgs = (name: 'server' | 'cli', ...args: string[]): string[] => [
  join(ROOT, 'dist', 'main', `${name}.js`),
  ...args,
];
