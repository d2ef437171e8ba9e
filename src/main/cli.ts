#!/usr/bin/env node
/**
 * The admin CLI's process: `npx upload-link …`. Reads the environment (and .env) and the arguments, runs
 * src/cli/run.ts, and exits with its code. With main/server.ts, the only module that reads `process.env`.
 */
import dotenv from 'dotenv';
import { NAME } from '../cli/render.js';
import { runCli } from '../cli/run.js';

dotenv.config({ quiet: true });
// The SDK's notice that its releases after January 2027 need Node 22 says nothing about this configuration, and a
// doctor report or an admin command is no place for it (the README says it once). Set before any client is made.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';
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
