#!/usr/bin/env node
/**
 * The admin CLI's process: `npx upload-link …`. Reads the environment (and .env) and the arguments, runs
 * src/cli/run.ts, and exits with its code. With main/server.ts, the only module that reads `process.env`.
 */
import dotenv from 'dotenv';
import { NAME } from '../cli/render.js';
import { runCli } from '../cli/run.js';

dotenv.config({ quiet: true });
runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Only bugs get here: keep the stack, it is what a bug report needs.
    process.stderr.write(`${NAME}: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
