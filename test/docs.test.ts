/** The README and .env.example say what the code does: the same rule, in the same words, everywhere it is shown. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SETTING_RULES } from '../src/core/settings.js';
import { buildSettingsModal } from '../src/slack/views/settings-modal.js';

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

describe('settings wording', () => {
  it('the prefix rule reads the same in the command, the modal, the README and .env.example', async () => {
    const rule = SETTING_RULES.prefix;
    const readme = oneLine(await readFile('README.md', 'utf8'));
    const env = oneLine((await readFile('.env.example', 'utf8')).replace(/^# /gm, ''));
    expect(readme).toContain(rule);
    expect(env.toLowerCase()).toContain(rule.toLowerCase());
    const modal = JSON.stringify(
      buildSettingsModal({
        channelId: 'C0ACME',
        global: { uploadPrefix: 'uploads/', defaultExpirySeconds: 3600, maxExpirySeconds: 7200 },
        stored: undefined,
      }),
    );
    expect(modal.toLowerCase()).toContain(JSON.stringify(rule).slice(1, -1).toLowerCase());
  });
});
