import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_EVENTS_PATH } from '../../src/slack/app.js';
import { BOT_SCOPES, COMMAND } from '../../src/slack/ids.js';

interface Manifest {
  features: {
    bot_user?: unknown;
    slash_commands: { command: string; url: string; should_escape: boolean; usage_hint?: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: { socket_mode_enabled: boolean };
}

describe('manifest.yml', () => {
  it('declares the command the code handles, escaped, with a usage hint and an HTTP URL placeholder', async () => {
    const manifest = parse(await readFile('manifest.yml', 'utf8')) as Manifest;
    expect(manifest.features.bot_user).toBeDefined();
    const [command, ...others] = manifest.features.slash_commands;
    expect(others).toEqual([]);
    expect(command?.command).toBe(COMMAND);
    expect(command?.should_escape).toBe(true);
    // The common forms, as help lists them.
    for (const form of ['report.pdf', '[2h]', 'once', 'links', 'revoke', 'help'])
      expect(command?.usage_hint).toContain(form);
    expect(new URL(command?.url ?? '').pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('asks for exactly the bot scopes the code needs', async () => {
    const manifest = parse(await readFile('manifest.yml', 'utf8')) as Manifest;
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
  });
});
