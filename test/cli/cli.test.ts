/**
 * The admin CLI as a real process (`dist/cli.js`, built once for the run by test/global-setup.ts) against a real database, in an empty working directory
 * with no Slack or S3 settings at all. What it prints is checked, and so is what the store holds afterwards.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadCliConfig, loadConfig } from '../../src/config.js';
import { EVERYWHERE } from '../../src/core/model.js';
import { type DatabaseTarget, type OpenStore, openStore } from '../../src/store/index.js';
import { type FreshDatabase, freshPostgresDatabase, hasPostgres, postgresUrlOrThrow } from '../support/postgres.js';
import { runCli } from '../support/process.js';

/** Each run starts a Node process (a second or more on a busy machine); a test may run a dozen. */
const TIMEOUT = { timeout: 180_000 };

/** Everything the store holds, to compare before and after a command. */
async function contents(target: DatabaseTarget) {
  const store = openStore(target);
  try {
    return {
      admins: await store.admins.list(),
      entries: await store.entries.list(),
      settings: await store.settings.list(),
      audit: await store.audit.list({ limit: 1000 }),
    };
  } finally {
    await store.close();
  }
}

async function withStore<T>(target: DatabaseTarget, use: (store: OpenStore) => Promise<T>): Promise<T> {
  const store = openStore(target);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

const entryKeys = (entries: readonly { type: string; id: string; scope: string }[]) =>
  entries.map((e) => `${e.type}:${e.id}@${e.scope}`).sort();

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Slack mrkdwn that must never reach a terminal. */
const MRKDWN = /<[@#!]|\*[^*\s]|:[a-z_]+:/;

/** A temporary working directory and SQLite file per test. */
function sqliteWorkspace() {
  const workspace = { cwd: '', path: '', env: {} as Record<string, string>, target: {} as DatabaseTarget };
  beforeEach(async () => {
    workspace.cwd = await mkdtemp(join(tmpdir(), 'upload-link-cli-'));
    workspace.path = join(workspace.cwd, 'x.db');
    workspace.env = { DATABASE_URL: `sqlite:${workspace.path}` };
    workspace.target = { dialect: 'sqlite', path: workspace.path };
  });
  afterEach(async () => {
    await rm(workspace.cwd, { recursive: true, force: true });
  });
  return workspace;
}

describe('upload-link CLI: help and commands', TIMEOUT, () => {
  const ws = sqliteWorkspace();

  it('--help prints the usage and exits 0 without touching the database', async () => {
    const run = await runCli(ws.cwd, ws.env, '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npx upload-link <command>/);
    for (const command of ['allow', 'disallow', 'access', 'admins', 'settings', 'audit', 'migrate']) {
      expect(run.stdout).toContain(`\n  ${command}`);
    }
    expect(run.stderr).toBe('');
    expect(existsSync(ws.path)).toBe(false);
  });

  it('no arguments prints the usage on stderr and exits 1', async () => {
    const run = await runCli(ws.cwd, ws.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Usage: npx upload-link <command>/);
  });

  it('<command> --help prints that command’s usage and exits 0', async () => {
    const run = await runCli(ws.cwd, ws.env, 'settings', '--help');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /^Usage: upload-link settings <channel id> \[prefix=<folder\/>\] \[default-expiry=<2h>\] \[max-expiry=<3d>\].*\n$/,
    );
  });

  it('an unknown command exits 2, names the commands and touches nothing', async () => {
    const run = await runCli(ws.cwd, ws.env, 'grant', 'U0BOB', 'C0ACME');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'upload-link: unknown command "grant". The commands are allow, disallow, access, admins, settings, audit, migrate, doctor; see `upload-link --help`.\n',
    );
    expect(existsSync(ws.path)).toBe(false);
  });
});

describe('upload-link migrate', TIMEOUT, () => {
  const ws = sqliteWorkspace();

  it('creates the schema in a fresh file, then says it is up to date', async () => {
    const first = await runCli(ws.cwd, ws.env, 'migrate');
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(
      new RegExp(`^Applied migrations to SQLite ${escapeRegExp(ws.path)}: 0001_access(, \\w+)*\n$`),
    );
    const db = new SQLite(ws.path, { readonly: true });
    try {
      const tables = db
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
        .pluck()
        .all();
      expect(tables).toEqual(expect.arrayContaining(['access_entries', 'admins', 'audit_events', 'channel_settings']));
    } finally {
      db.close();
    }
    expect(await contents(ws.target)).toEqual({ admins: [], entries: [], settings: [], audit: [] });

    const second = await runCli(ws.cwd, ws.env, 'migrate');
    expect(second).toEqual({
      code: 0,
      stdout: `The schema of SQLite ${ws.path} is already up to date.\n`,
      stderr: '',
    });
  });

  it('refuses arguments', async () => {
    const run = await runCli(ws.cwd, ws.env, 'migrate', 'now');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Usage: upload-link migrate');
    expect(existsSync(ws.path)).toBe(false);
  });

  it('any other command migrates first, saying so on stderr, not in its output', async () => {
    const run = await runCli(ws.cwd, ws.env, 'admins');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^Applied migrations to SQLite ${escapeRegExp(ws.path)}: 0001_access.*\n$`));
    expect(run.stdout).toBe(
      'Admins\nNo admins yet. Set ADMIN_USER_IDS, or run `npx upload-link admins add <user id>`.\n',
    );
  });

  it('without DATABASE_URL uses ./data/upload-link.db in the working directory', async () => {
    const run = await runCli(ws.cwd, {}, 'migrate');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Applied migrations to SQLite \.\/data\/upload-link\.db: 0001_access/);
    expect(existsSync(join(ws.cwd, 'data/upload-link.db'))).toBe(true);
  });

  it('reads .env from the working directory, like the server', async () => {
    await writeFile(join(ws.cwd, '.env'), `DATABASE_URL=sqlite:${ws.path}\nADMIN_USER_IDS=U0ROOT\n`);
    const run = await runCli(ws.cwd, {}, 'admins');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Admins\n• @U0ROOT (configuration, ADMIN_USER_IDS)\n');
    expect(existsSync(ws.path)).toBe(true);
  });
});

describe('upload-link admin commands against SQLite', TIMEOUT, () => {
  const ws = sqliteWorkspace();
  const cli = (...args: string[]) =>
    runCli(ws.cwd, { ...ws.env, ADMIN_USER_IDS: 'U0ROOT', ALLOWED_USER_IDS: 'U0CONF' }, ...args);

  it('allow, access, disallow, admins, settings and audit: same meaning as the slash command, actor `cli`', async () => {
    const outputs: string[] = [];
    /** `cli`, keeping what it printed. */
    const step = async (...args: string[]) => {
      const run = await cli(...args);
      outputs.push(run.stdout);
      return run;
    };
    let run = await step('allow', 'U0BOB', 'S0TEAM', 'C0ACME');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('✓ @U0BOB, @S0TEAM may now create upload links in #C0ACME.\n');
    expect(entryKeys((await contents(ws.target)).entries)).toEqual(['user:U0BOB@C0ACME', 'usergroup:S0TEAM@C0ACME']);

    run = await step('allow', 'U0BOB', 'everywhere');
    expect(run.stdout).toBe('✓ @U0BOB may now create upload links in every channel.\n');

    run = await step('allow', 'U0BOB', 'C0ACME');
    expect(run).toMatchObject({ code: 0, stdout: '@U0BOB already could in #C0ACME; nothing changed for them.\n' });

    run = await step('access', 'C0ACME');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      'Who may create upload links in #C0ACME',
      '• Admins (every channel): @U0ROOT',
      '• Allowed everywhere: @U0CONF (configuration), @U0BOB',
      '• Allowed in this channel: @U0BOB, @S0TEAM',
      '• Via @S0TEAM: members unavailable (the CLI does not ask Slack)',
      '',
    ]);

    run = await step('disallow', 'U0BOB', 'C0ACME');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      '✗ @U0BOB may no longer create upload links in #C0ACME.',
      '@U0BOB still has an "everywhere" entry; use `upload-link disallow @U0BOB everywhere` to remove it.',
      '',
    ]);
    expect(entryKeys((await contents(ws.target)).entries)).toEqual([
      `user:U0BOB@${EVERYWHERE}`,
      'usergroup:S0TEAM@C0ACME',
    ]);

    run = await step('admins', 'add', 'U0ALICE');
    expect(run.stdout).toBe('✓ @U0ALICE is now an admin.\n');
    run = await step('admins');
    expect(run.stdout).toBe('Admins\n• @U0ROOT (configuration, ADMIN_USER_IDS)\n• @U0ALICE (added by the CLI)\n');
    expect((await contents(ws.target)).admins).toEqual([
      { userId: 'U0ALICE', addedBy: 'cli', addedAt: expect.any(Date) },
    ]);

    // One shell argument is one word, spaces and all.
    run = await step('settings', 'C0ACME', 'prefix=partners/acme corp/', 'max-expiry=3d');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('✓ Updated settings for #C0ACME');
    expect(lines).toEqual(
      expect.arrayContaining([
        '• prefix: `partners/acme corp/`',
        '• default expiry: 1 day (default)',
        '• max expiry: 3 days',
        "! `partners/acme corp/` is outside `uploads/`: make sure the bot's IAM policy allows s3:PutObject there.",
      ]),
    );
    await withStore(ws.target, async (store) => {
      expect(await store.settings.get('C0ACME')).toMatchObject({
        keyPrefix: 'partners/acme corp/',
        defaultExpirySeconds: undefined,
        maxExpirySeconds: 3 * 86_400,
        updatedBy: 'cli',
      });
    });

    run = await step('settings', 'C0ACME', 'prefix=default');
    expect(run.stdout).toContain('• prefix: `uploads/C0ACME/` (default)');

    run = await step('audit', 'C0ACME', '50');
    expect(run.code).toBe(0);
    const [header, ...events] = run.stdout.trimEnd().split('\n');
    // Only this channel's events: not the "everywhere" entry, not the admin change, not the no-op allow.
    expect(header).toBe('Last 4 events in #C0ACME (newest first)');
    expect(events.map((line) => line.replace(/^• \d{4}-\d\d-\d\d \d\d:\d\d UTC · /, ''))).toEqual([
      expect.stringMatching(/^the CLI set in #C0ACME: prefix=default, default-expiry=default, max-expiry=3 days\b/),
      expect.stringMatching(
        /^the CLI set in #C0ACME: prefix=partners\/acme corp\/, default-expiry=default, max-expiry=3/,
      ),
      'the CLI disallowed @U0BOB in #C0ACME',
      'the CLI allowed @U0BOB, @S0TEAM in #C0ACME',
    ]);

    const audit = (await contents(ws.target)).audit;
    expect(audit.map((e) => e.action)).toEqual([
      'settings.update',
      'settings.update',
      'admin.add',
      'access.disallow',
      'access.allow',
      'access.allow',
    ]);
    expect(new Set(audit.map((e) => e.actor))).toEqual(new Set(['cli']));

    run = await step('audit', '2');
    expect(run.stdout.split('\n').slice(0, 3)).toEqual([
      'Last 2 events (newest first)',
      expect.stringMatching(/· the CLI set in #C0ACME: prefix=default,/),
      expect.stringMatching(/· the CLI set in #C0ACME: prefix=partners\/acme corp\/,/),
    ]);

    run = await step('settings', 'C0ACME');
    expect(run.stdout.split('\n')[0]).toBe('Settings for #C0ACME');
    // Everything printed is plain text: no Slack mrkdwn left.
    for (const out of outputs) expect(out).not.toMatch(MRKDWN);
  });

  it('accepts ids written as @U…, #C… and mentions pasted from Slack', async () => {
    const run = await cli('allow', '@U0BOB', '<!subteam^S0TEAM|@partners>', '<#C0ACME|acme>');
    expect(run.stdout).toBe('✓ @U0BOB, @S0TEAM may now create upload links in #C0ACME.\n');
    const run2 = await cli('admins', 'add', '<@U0ALICE|alice>');
    expect(run2.stdout).toBe('✓ @U0ALICE is now an admin.\n');
  });

  it('removing an ADMIN_USER_IDS admin changes nothing', async () => {
    const run = await cli('admins', 'remove', 'U0ROOT');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("@U0ROOT is an admin by the bot's configuration (ADMIN_USER_IDS)");
    expect((await contents(ws.target)).audit).toEqual([]);
  });

  it.each([
    ['an unknown word', ['allow', 'U0CAROL', 'frob', 'C0ACME'], 'I don\'t understand "frob".', 'allow'],
    ['a missing channel', ['allow', 'U0CAROL'], 'Name the channel (in the CLI there is no current channel).', 'allow'],
    ['a bad duration', ['settings', 'C0ACME', 'max-expiry=soon'], '"soon" isn\'t a duration', 'settings'],
    ['an absolute prefix', ['settings', 'C0ACME', 'prefix=/abs/'], 'The prefix "/abs/" must not start', 'settings'],
    ['a prefix with ..', ['settings', 'C0ACME', 'prefix=a/../b/'], 'must not contain "." or ".." parts', 'settings'],
    [
      'max-expiry over MAX_EXPIRY',
      ['settings', 'C0ACME', 'max-expiry=8d'],
      'max-expiry must be 1 minute to 1 week',
      'settings',
    ],
    ['a group as admin', ['admins', 'add', 'S0TEAM'], 'Admins are people', 'admins'],
    ['too many audit events', ['audit', '1000'], 'Show between 1 and 100 events.', 'audit'],
  ])('%s → exit 1, the problem and the usage line, nothing changed', async (_, args, problem, command) => {
    await withStore(ws.target, async (store) => {
      await store.migrate();
      await store.entries.allow([{ type: 'user', id: 'U0BOB' }], 'C0ACME', 'U0ROOT', new Date());
      await store.settings.update('C0ACME', { maxExpirySeconds: 2 * 86_400 }, 'U0ROOT', new Date());
    });
    const before = await contents(ws.target);

    const run = await cli(...args);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(problem);
    expect(run.stderr).toContain('Nothing was changed.');
    expect(run.stderr).toMatch(new RegExp(`\\nUsage: upload-link ${command} .*\\n$`));
    expect(run.stderr).not.toContain('/upload-link');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(await contents(ws.target)).toEqual(before);
  });
});

describe('upload-link configuration and store problems', TIMEOUT, () => {
  const ws = sqliteWorkspace();

  it('needs no Slack or S3 settings, and ignores bad ones', async () => {
    const run = await runCli(
      ws.cwd,
      { ...ws.env, SLACK_BOT_TOKEN: 'not-a-token', S3_BUCKET: 'Not_A_Bucket', PORT: 'abc' },
      'allow',
      'U0BOB',
      'everywhere',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('✓ @U0BOB may now create upload links in every channel.\n');
  });

  it('lists every problem with its own settings and exits 1 without a stack trace', async () => {
    const run = await runCli(
      ws.cwd,
      { DATABASE_URL: 'mysql://db/x', MAX_EXPIRY: '9d', ADMIN_USER_IDS: 'alice', UPLOAD_PREFIX: '/up' },
      'admins',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      'upload-link: the configuration has problems:',
      '  - ADMIN_USER_IDS must be Slack user IDs separated by commas (like U012AB3CD); not user IDs: alice',
      '  - DATABASE_URL must be sqlite:<path> or postgres://user:password@host:port/database',
      '  - UPLOAD_PREFIX must not start with "/"',
      '  - UPLOAD_PREFIX must end with "/"',
      '  - MAX_EXPIRY must be 1 minute to 1 week (7 days is the longest a pre-signed URL can live)',
      '',
    ]);
  });

  it('a store that cannot be opened: exit 1, one clear line', async () => {
    await writeFile(join(ws.cwd, 'file'), '');
    const run = await runCli(ws.cwd, { DATABASE_URL: `sqlite:${ws.cwd}/file/x.db` }, 'allow', 'U0BOB', 'C0ACME');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^upload-link: the access store \(SQLite .*\/file\/x\.db\) could not be opened or migrated: /,
    );
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an unreachable PostgreSQL: exit 1, one clear line, no password', async () => {
    const run = await runCli(ws.cwd, { DATABASE_URL: 'postgres://admin:s3cret-pw@127.0.0.1:1/uploads' }, 'admins');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^upload-link: the access store \(PostgreSQL 127\.0\.0\.1:1\/uploads\) could not be/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toContain('s3cret-pw');
  });
});

describe.skipIf(!hasPostgres())('upload-link against PostgreSQL', TIMEOUT, () => {
  let db: FreshDatabase;
  let cwd: string;
  beforeEach(async () => {
    db = await freshPostgresDatabase(postgresUrlOrThrow());
    cwd = await mkdtemp(join(tmpdir(), 'upload-link-cli-'));
  });
  afterEach(async () => {
    await db.drop();
    await rm(cwd, { recursive: true, force: true });
  });

  it('migrate, allow and access round trip', async () => {
    const env = { DATABASE_URL: db.url };
    const target: DatabaseTarget = { dialect: 'postgres', url: db.url };
    expect((await runCli(cwd, env, 'migrate')).stdout).toMatch(/^Applied migrations to PostgreSQL .*: 0001_access/);

    const allow = await runCli(cwd, env, 'allow', 'U0BOB', 'S0TEAM', 'C0ACME');
    expect(allow).toEqual({
      code: 0,
      stdout: '✓ @U0BOB, @S0TEAM may now create upload links in #C0ACME.\n',
      stderr: '',
    });
    const access = await runCli(cwd, env, 'access', 'C0ACME');
    expect(access.code).toBe(0);
    expect(access.stdout).toContain('• Allowed in this channel: @U0BOB, @S0TEAM\n');

    const stored = await contents(target);
    expect(entryKeys(stored.entries)).toEqual(['user:U0BOB@C0ACME', 'usergroup:S0TEAM@C0ACME']);
    expect(stored.audit).toMatchObject([{ actor: 'cli', action: 'access.allow', channelId: 'C0ACME' }]);
  });
});

// loadCliConfig is here rather than in config.test.ts because it exists for the CLI; the rules are loadConfig's.
describe('loadCliConfig', () => {
  const problemsOf = (load: () => unknown): readonly string[] => {
    try {
      load();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it('needs nothing: the defaults are loadConfig’s', () => {
    const full = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      S3_BUCKET: 'partner-uploads',
      AWS_REGION: 'eu-west-1',
    });
    const cli = loadCliConfig({});
    expect(cli).toEqual({
      uploadPrefix: full.uploadPrefix,
      defaultExpirySeconds: full.defaultExpirySeconds,
      maxExpirySeconds: full.maxExpirySeconds,
      adminUserIds: [],
      allowedUserIds: [],
      database: full.database,
    });
    expect(Object.isFrozen(cli)).toBe(true);
    expect(Object.isFrozen(cli.database)).toBe(true);
  });

  it('reads its settings and ignores Slack, S3 and server ones, even invalid', () => {
    expect(
      loadCliConfig({
        DATABASE_URL: 'postgres://u:p@db:5432/uploads',
        ADMIN_USER_IDS: 'U0ROOT, U0ROOT',
        ALLOWED_USER_IDS: ' ',
        UPLOAD_PREFIX: 'in/',
        DEFAULT_EXPIRY: '2h',
        MAX_EXPIRY: '3d',
        SLACK_BOT_TOKEN: 'nope',
        S3_BUCKET: 'Not_A_Bucket',
        PORT: 'abc',
      }),
    ).toEqual({
      uploadPrefix: 'in/',
      defaultExpirySeconds: 7200,
      maxExpirySeconds: 3 * 86_400,
      adminUserIds: ['U0ROOT'],
      allowedUserIds: [],
      database: { dialect: 'postgres', url: 'postgres://u:p@db:5432/uploads' },
    });
  });

  it.each([
    { MAX_EXPIRY: '9d' },
    { MAX_EXPIRY: '2h', DEFAULT_EXPIRY: '3h' },
    { DEFAULT_EXPIRY: 'soon' },
    { UPLOAD_PREFIX: '/uploads' },
    { ADMIN_USER_IDS: 'alice', ALLOWED_USER_IDS: 'C012AB3CD' },
    { DATABASE_URL: 'mysql://x' },
  ])('reports the problems of %j exactly as loadConfig does', (env) => {
    const slackAndS3 = {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      S3_BUCKET: 'partner-uploads',
      AWS_REGION: 'eu-west-1',
    };
    const expected = problemsOf(() => loadConfig({ ...slackAndS3, ...env }));
    expect(expected.length).toBeGreaterThan(0);
    expect(problemsOf(() => loadCliConfig(env))).toEqual(expected);
  });
});
