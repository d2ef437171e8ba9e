/**
 * The admin CLI's work, without the process: `upload-link <allow|disallow|access|admins|settings|audit|migrate|doctor>
 * …` against DATABASE_URL and without Slack, for bootstrapping (the first admin) and operations. The commands are
 * the slash command's own (src/core/admin/): same meaning, validation and audit, with the actor recorded as `cli`.
 * `doctor` checks the bot's whole configuration, Slack and S3 (src/doctor/), and touches no database.
 *
 * Exit codes: 0 done; 1 usage error, invalid input, bad configuration, store unavailable or a failed doctor check;
 * 2 unknown command.
 */
import { parseArgs } from 'node:util';
import { type CliConfig, ConfigError, loadCliConfig } from '../config.js';
import { createAccessPolicy } from '../core/access.js';
import { describeAdminOutcome } from '../core/admin/describe.js';
import { type AdminDeps, runAdminCommand, succeeded } from '../core/admin/execute.js';
import { ADMIN_COMMANDS, spellUsage, USAGE } from '../core/admin/usage.js';
import { type Token, tokenize } from '../core/command.js';
import type { GroupDirectory } from '../core/ports.js';
import { formatDoctorReport, runDoctor } from '../doctor/index.js';
import { errorMessage, GroupLookupError, isStoreUnavailable } from '../lib/errors.js';
import { describeTarget, type OpenStore, openStore } from '../store/index.js';
import { NAME, toTerminal } from './render.js';

const COMMANDS = [...ADMIN_COMMANDS, 'migrate', 'doctor'] as const;
type CliCommand = (typeof COMMANDS)[number];
const HELP_WORDS = new Set(['-h', '--help', 'help']);

/** A command's usage as the terminal spells it: ids instead of mentions, and the channel required but for audit. */
function cliUsage(command: CliCommand): string {
  if (command === 'migrate') return `${NAME} migrate`;
  if (command === 'doctor') return `${NAME} doctor [--write-test]`;
  return `${NAME} ${spellUsage(USAGE[command], 'cli')}`;
}

const DESCRIPTIONS: Record<CliCommand, string> = {
  allow: 'Let people or user groups create upload links in a channel, or in every channel.',
  disallow: 'Remove those entries.',
  access: 'Who may create upload links in a channel, and why.',
  admins: 'List the admins, or add and remove admins (ADMIN_USER_IDS ones stay).',
  settings: "Show or change a channel's settings; a value of `default` clears one.",
  audit: 'The last N events (default 20, at most 100), newest first.',
  migrate: 'Bring the database schema up to date (every command does this first).',
  doctor:
    "Check the bot's configuration, Slack token, bucket region, AWS credentials and signing, the bucket's CORS and lifecycle rule for the partner page, and its encryption against S3_SSE. --write-test also uploads a small object under UPLOAD_PREFIX (and leaves it there).",
};

export const DOCTOR_HELP = `Usage: ${NAME} doctor [--write-test]

Checks, with the bot's full environment (as the server reads it; also from .env):
  - the configuration is valid;
  - Slack accepts SLACK_BOT_TOKEN (auth.test), and which workspace and bot user it belongs to;
  - the bucket is in AWS_REGION (S3 refuses URLs signed for another region);
  - AWS credentials load (which kind, and when temporary ones expire) and sign a PUT under UPLOAD_PREFIX;
  - with PUBLIC_URL, the bucket's CORS lets the partner page upload (PUT with the headers it sends, ETag exposed),
    and a lifecycle rule aborts incomplete multipart uploads under UPLOAD_PREFIX; if not, the JSON and the command;
  - the bucket's default encryption against S3_SSE (and S3_SSE_KMS_KEY_ID).
Nothing is uploaded unless --write-test: then a small object goes to <UPLOAD_PREFIX>.upload-link-doctor/<time>
through the signed URL, and stays there. The database is not touched.

Exit code 0 when no check failed (warnings, marked !, are allowed), 1 otherwise.
`;

const HELP = `Usage: npx ${NAME} <command> [arguments]

Manage who may create upload links, directly in the bot's database (DATABASE_URL); Slack is not needed.
Check the bot's whole setup (Slack, S3, CORS) before a deploy with \`${NAME} doctor\`.
Name people, user groups and channels by their Slack ids (U…, S…, C…). Changes are audited with the actor "cli".

Commands:
${COMMANDS.map((c) => `  ${cliUsage(c).slice(NAME.length + 1)}\n      ${DESCRIPTIONS[c]}\n`).join('')}
Examples:
  npx ${NAME} admins add U012AB3CD
  npx ${NAME} allow U0BOB S0TEAM C0ACME
  npx ${NAME} allow U0BOB everywhere
  npx ${NAME} settings C0ACME prefix=partners/acme/ max-expiry=3d
  npx ${NAME} audit C0ACME 50
  npx ${NAME} doctor --write-test

Environment (also read from .env in the current directory): DATABASE_URL (sqlite:<path> or postgres://…;
default sqlite:./data/upload-link.db), ADMIN_USER_IDS, ALLOWED_USER_IDS, UPLOAD_PREFIX, DEFAULT_EXPIRY, MAX_EXPIRY.
doctor reads the bot's whole environment instead (SLACK_*, S3_BUCKET, AWS_REGION, S3_ENDPOINT, PUBLIC_URL, AWS
credentials, …) and does not use the database.
`;

/** Where the CLI writes: normally the process's stdout and stderr. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * One shell argument → one token. The shell has already split and unquoted the words, so an argument is never
 * re-split (a prefix may contain spaces) and never counts as quoted. A mention pasted from Slack (`<@U0BOB|bob>`)
 * is read as the mention it is.
 */
function tokenOf(arg: string): Token {
  if (/^<[^<>\s]+>$/.test(arg)) {
    const [token] = tokenize(arg);
    if (token !== undefined) return token;
  }
  return { pieces: [{ kind: 'text', text: arg }], quoted: false, text: arg };
}

/** No Slack here: group entries are listed, their members are not (the CLI never asks Slack). */
const noSlackGroups: GroupDirectory = {
  members: async () => {
    throw new GroupLookupError('Slack is not available from the CLI', '(the CLI does not ask Slack)');
  },
};

function adminDeps(config: CliConfig, store: OpenStore): AdminDeps {
  return {
    settings: config,
    configAdmins: config.adminUserIds,
    configAllowed: config.allowedUserIds,
    store,
    access: createAccessPolicy({ lists: config, store, groups: noSlackGroups }),
    groups: noSlackGroups,
    now: () => new Date(),
  };
}

/** `doctor [--write-test]`: the checks of src/doctor/, printed on stdout; 1 when one failed. */
async function doctor(args: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let writeTest: boolean;
  try {
    const { values } = parseArgs({ args: [...args], options: { 'write-test': { type: 'boolean' } }, strict: true });
    writeTest = values['write-test'] === true;
  } catch {
    const unknown = args.filter((arg) => arg !== '--write-test');
    io.err(`${NAME}: doctor does not take ${unknown.map((a) => `"${a}"`).join(', ')}.\nUsage: ${cliUsage('doctor')}\n`);
    return 1;
  }
  const report = await runDoctor(env, { writeTest });
  io.out(formatDoctorReport(report));
  return report.ok ? 0 : 1;
}

/** An admin command against the store, migrated first. */
async function adminCommand(name: CliCommand, rest: readonly string[], config: CliConfig, io: CliIo) {
  const where = describeTarget(config.database);
  let store: OpenStore | undefined;
  try {
    let applied: readonly string[];
    try {
      store = openStore(config.database);
      ({ applied } = await store.migrate());
    } catch (error) {
      io.err(`${NAME}: the access store (${where}) could not be opened or migrated: ${errorMessage(error)}\n`);
      return 1;
    }
    if (name === 'migrate') {
      io.out(
        applied.length > 0
          ? `Applied migrations to ${where}: ${applied.join(', ')}\n`
          : `The schema of ${where} is already up to date.\n`,
      );
      return 0;
    }
    // The command's output goes to stdout; a schema change on the way is worth knowing, but is not the output.
    if (applied.length > 0) io.err(`Applied migrations to ${where}: ${applied.join(', ')}\n`);
    const tokens = [tokenOf(name), ...rest.map(tokenOf)];
    const outcome = await runAdminCommand(adminDeps(config, store), 'cli', tokens, undefined).catch(
      (error: unknown) => {
        if (!isStoreUnavailable(error)) throw error;
        return undefined;
      },
    );
    if (outcome === undefined) {
      io.err(
        'The access store is temporarily unavailable, so nothing was created or changed. Please try again in a moment.\n',
      );
      return 1;
    }
    const text = `${describeAdminOutcome(outcome).map(toTerminal).join('\n')}\n`;
    if (succeeded(outcome)) io.out(text);
    else io.err(text);
    return succeeded(outcome) ? 0 : 1;
  } finally {
    await store?.close().catch(() => {});
  }
}

/** Run the CLI for `argv` (the words after the program name); resolves with the exit code. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.err(HELP);
    return 1;
  }
  if (HELP_WORDS.has(first.toLowerCase())) {
    // `help doctor`, `help allow`: that command's help.
    const about = rest[0]?.toLowerCase();
    if (about !== undefined && (COMMANDS as readonly string[]).includes(about)) {
      io.out(about === 'doctor' ? DOCTOR_HELP : `Usage: ${cliUsage(about as CliCommand)}\n`);
    } else io.out(HELP);
    return 0;
  }
  const command = first.toLowerCase();
  if (!(COMMANDS as readonly string[]).includes(command)) {
    io.err(`${NAME}: unknown command "${first}". The commands are ${COMMANDS.join(', ')}; see \`${NAME} --help\`.\n`);
    return 2;
  }
  const name = command as CliCommand;
  if (rest.some((arg) => arg === '--help' || arg === '-h')) {
    io.out(name === 'doctor' ? DOCTOR_HELP : `Usage: ${cliUsage(name)}\n`);
    return 0;
  }
  if (name === 'doctor') return doctor(rest, env, io);
  if (name === 'migrate' && rest.length > 0) {
    io.err(`${NAME}: migrate takes no arguments. Nothing was changed.\nUsage: ${cliUsage('migrate')}\n`);
    return 1;
  }
  let config: CliConfig;
  try {
    config = loadCliConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${NAME}: the configuration has problems:\n${error.problems.map((p) => `  - ${p}\n`).join('')}`);
    return 1;
  }
  return adminCommand(name, rest, config, io);
}
