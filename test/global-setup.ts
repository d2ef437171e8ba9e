/**
 * Vitest global setup: a PostgreSQL server for the run (see test/support/postgres-cluster.ts), handed to test files as
 * `inject('postgresUrl')` (read it through `postgresUrl()` in test/support/postgres.ts); undefined when there is none.
 * Likewise a Ceph RADOS Gateway, a real S3 (test/support/rgw-cluster.ts), as `inject('rgw')` (read it through
 * `rgwTarget()` in test/support/rgw.ts).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { buildPartnerAssets, bundleServer } from '../scripts/build.js';
import { NOT_FOUND_MESSAGE, postgresForTests } from './support/postgres-cluster.js';
import { RGW_NOT_FOUND_MESSAGE, type RgwTarget, rgwForTests } from './support/rgw-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
    rgw: RgwTarget | undefined;
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
  await Promise.all([buildPartnerAssets(), bundleServer()]);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgresStart = postgresForTests();
  const rgwStart = rgwForTests();
  let postgres: Awaited<typeof postgresStart>;
  let rgw: Awaited<typeof rgwStart>;
  try {
    [postgres, rgw] = await Promise.all([postgresStart, rgwStart, build()]);
  } catch (error) {
    // Whatever did start is stopped now rather than left to the process exit handlers.
    await Promise.allSettled([
      postgresStart.then((started) => (started.source === 'cluster' ? started.cluster.stop() : undefined)),
      rgwStart.then((started) => (started.source === 'cluster' ? started.cluster.stop() : undefined)),
    ]);
    throw error;
  }
  if (postgres.source === 'none') process.stderr.write(`${NOT_FOUND_MESSAGE}\n`);
  if (rgw.source === 'none') process.stderr.write(`${RGW_NOT_FOUND_MESSAGE}\n`);
  project.provide('postgresUrl', postgres.url);
  project.provide('rgw', rgw.target);
  return async () => {
    await Promise.all([
      postgres.source === 'cluster' ? postgres.cluster.stop() : undefined,
      rgw.source === 'cluster' ? rgw.cluster.stop() : undefined,
    ]);
  };
}
