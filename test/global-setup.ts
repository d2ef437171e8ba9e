/**
 * Vitest global setup: a PostgreSQL server for the run (see test/support/postgres-cluster.ts), handed to test files as
 * `inject('postgresUrl')` (read it through `postgresUrl()` in test/support/postgres.ts); undefined when there is none.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { buildPartnerAssets } from '../scripts/build.js';
import { NOT_FOUND_MESSAGE, postgresForTests } from './support/postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
  }
}

const ROOT = resolve(import.meta.dirname, '..');

/** The process tests run dist/main/server.js and dist/main/cli.js: build them once, as `npm run build` does. */
async function build(): Promise<void> {
  const tsc = resolve(ROOT, 'node_modules/typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT });
  } catch (error) {
    const { stdout = '' } = error as { stdout?: string };
    throw new Error(`npm run build failed before the tests:\n${stdout}`);
  }
  await buildPartnerAssets();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [postgres] = await Promise.all([postgresForTests(), build()]);
  if (postgres.source === 'none') process.stderr.write(`${NOT_FOUND_MESSAGE}\n`);
  project.provide('postgresUrl', postgres.url);
  return async () => {
    if (postgres.source === 'cluster') await postgres.cluster.stop();
  };
}
