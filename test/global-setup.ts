/**
 * Vitest global setup: a PostgreSQL server for the run (see test/support/postgres-cluster.ts), handed to test files as
 * `inject('postgresUrl')` (read it through `postgresUrl()` in test/support/postgres.ts); undefined when there is none.
 */
import type { TestProject } from 'vitest/node';
import { NOT_FOUND_MESSAGE, postgresForTests } from './support/postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await postgresForTests();
  if (postgres.source === 'none') process.stderr.write(`${NOT_FOUND_MESSAGE}\n`);
  project.provide('postgresUrl', postgres.url);
  return async () => {
    if (postgres.source === 'cluster') await postgres.cluster.stop();
  };
}
