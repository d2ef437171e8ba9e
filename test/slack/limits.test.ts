/**
 * Slack's limits in the worst case: the longest keys (1024 bytes), the longest URLs (a 999-character session
 * token), 200 entries, 100 channels, 100 audit events. Every reply and view stays within what Slack documents
 * (docs.slack.dev: 3,000 characters a section, 50 blocks a message, 100 a view, buttons and ids), within the
 * ≈12,000 characters of block text behind `msg_blocks_too_long` (bolt-js #2509), with a short fallback text, and
 * says "… and N more" rather than cutting a mention in half.
 */
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { AdminOutcome } from '../../src/core/admin/execute.js';
import type { AuditRecord } from '../../src/core/audit.js';
import { NO_LIMITS } from '../../src/core/limits.js';
import type { AccessEntry, PartnerLink } from '../../src/core/model.js';
import { renderAdminOutcome } from '../../src/slack/views/admin-reply.js';
import { buildAdminHomeView } from '../../src/slack/views/home-admin.js';
import { buildMemberHomeView } from '../../src/slack/views/home-member.js';
import { renderLinks } from '../../src/slack/views/links.js';
import { renderHelp, renderOutcome } from '../../src/slack/views/reply.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const utf8 = (text: string) => Buffer.byteLength(text);

/** A key of exactly 1024 bytes, in 3-byte characters (the worst for percent-encoding): the longest S3 allows. */
const LONG_NAME = `${'é'.repeat(300)}${'ü'.repeat(11)}.pdf`;
const LONG_KEY = (() => {
  let key = `uploads/C0ACME/2026-12-01/0b6e1f1e-1234-4abc-8def-0123456789ab/${'界'.repeat(320)}`;
  while (utf8(key) > 1020) key = key.slice(0, -1);
  return `${key}.pdf`;
})();
const SESSION_TOKEN = 'IQoJb3JpZ2luX2Vj'.repeat(63).slice(0, 999);
const LONG_URL =
  `https://partner-uploads.s3.eu-west-1.amazonaws.com/${encodeURI(LONG_KEY)}?X-Amz-Algorithm=AWS4-HMAC-SHA256` +
  '&X-Amz-Credential=ASIAEXAMPLEEXAMPLE%2F20261201%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261201T120000Z' +
  `&X-Amz-Expires=604800&X-Amz-Security-Token=${encodeURIComponent(SESSION_TOKEN)}` +
  '&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef&X-Amz-SignedHeaders=host';

interface Limits {
  readonly blocks: number;
  /** Block text in all (messages only). */
  readonly total?: number;
}

/** Every limit we know of, over every block: what Slack would refuse or truncate. */
function expectWithin(payload: { blocks?: readonly unknown[]; text?: string }, limits: Limits) {
  const blocks = (payload.blocks ?? []) as (KnownBlock & Record<string, unknown>)[];
  expect(blocks.length).toBeLessThanOrEqual(limits.blocks);
  let total = 0;
  const visit = (value: unknown, key?: string, parent?: Record<string, unknown>) => {
    if (typeof value === 'string') {
      if (key === 'text' && parent?.type === 'mrkdwn') expect(value.length).toBeLessThanOrEqual(3000);
      if (key === 'text' && parent?.type === 'plain_text') expect(value.length).toBeLessThanOrEqual(3000);
      if (key === 'text') total += value.length;
      if (key === 'value') expect(value.length).toBeLessThanOrEqual(2000);
      if (key === 'action_id' || key === 'block_id') expect(value.length).toBeLessThanOrEqual(255);
      return;
    }
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.type === 'header')
        expect(String((record.text as { text: string }).text).length).toBeLessThanOrEqual(150);
      if (record.type === 'button')
        expect(String((record.text as { text: string }).text).length).toBeLessThanOrEqual(75);
      for (const [k, v] of Object.entries(record)) visit(v, k, record);
    }
  };
  visit(blocks);
  if (limits.total !== undefined) expect(total).toBeLessThanOrEqual(limits.total);
  if (payload.text !== undefined) expect(payload.text.length).toBeLessThanOrEqual(12_000);
  // A cut never leaves half a mention behind.
  for (const text of JSON.stringify(payload).match(/<[@#!][^>"]*(?="|$)/g) ?? []) expect(text).toBe('');
}

const MESSAGE = { blocks: 50, total: 12_000 };
const VIEW = { blocks: 100 };

const auditEvent = (i: number): AuditRecord => ({
  id: i,
  at: NOW,
  actor: `U0USER${i}`,
  action: 'link.issued',
  channelId: `C0CHANNEL${i}`,
  detail: { filename: LONG_NAME, key: LONG_KEY, expiresAt: NOW.toISOString(), link: 'A'.repeat(22), grant: 'admin' },
});

const entry = (i: number, scope: string): AccessEntry => ({
  type: i % 5 === 0 ? 'usergroup' : 'user',
  id: `${i % 5 === 0 ? 'S' : 'U'}0LONGID${i}`,
  scope,
  addedBy: 'U0ADMIN',
  addedAt: NOW,
});

const link = (i: number): PartnerLink => ({
  id: `${String(i).padStart(2, '0')}${'B'.repeat(20)}`,
  channelId: 'C0ACME',
  channelName: 'acme',
  teamName: 'Acme',
  requester: 'U0ALICE',
  filename: LONG_NAME,
  key: LONG_KEY,
  createdAt: NOW,
  expiresAt: new Date(NOW.getTime() + 86_400_000),
  singleUse: false,
  page: true,
  urlExpiresAt: undefined,
  maxSizeBytes: undefined,
  allowedTypes: undefined,
  revokedAt: undefined,
  revokedBy: undefined,
  uploadedAt: i % 3 === 0 ? NOW : undefined,
  uploadedSize: undefined,
  uploadedType: undefined,
  uploads: i % 3,
});

describe('Slack limits in the worst case', () => {
  it('`audit 100` with 1024-byte keys: within limits, and says how many more there are', () => {
    const outcome: AdminOutcome = {
      kind: 'audit',
      channelId: undefined,
      events: Array.from({ length: 100 }, (_, i) => auditEvent(i)),
    };
    const reply = renderAdminOutcome(outcome);
    expectWithin(reply, MESSAGE);
    expect(JSON.stringify(reply.blocks)).toMatch(/… and \d+ more events that don't fit in one message/);
    expect(reply.text.length).toBeLessThanOrEqual(3000);
  });

  it('`access` with 200 entries and big groups: within limits, every list ends with "… and N more"', () => {
    const entries = [
      ...Array.from({ length: 100 }, (_, i) => entry(i, '*')),
      ...Array.from({ length: 100 }, (_, i) => entry(i + 100, 'C0ACME')),
    ];
    const outcome: AdminOutcome = {
      kind: 'access',
      channelId: 'C0ACME',
      admins: Array.from({ length: 100 }, (_, i) => `U0ADMIN${i}`),
      configAllowed: Array.from({ length: 50 }, (_, i) => `U0CONFIG${i}`),
      entries,
      groups: entries
        .filter((e) => e.type === 'usergroup')
        .map((group) => ({ group, members: Array.from({ length: 300 }, (_, i) => `U0MEMBER${i}`) })),
    };
    const reply = renderAdminOutcome(outcome);
    expectWithin(reply, MESSAGE);
    const text = JSON.stringify(reply.blocks);
    expect(text).toContain('• Allowed in this channel:');
    expect(text).toMatch(/… and \d+ more/);
  });

  it('a link reply with a 1024-byte key, a 999-character session token and a partner page', () => {
    const reply = renderOutcome(
      {
        kind: 'issued',
        link: {
          filename: LONG_NAME,
          bucket: 'partner-uploads',
          key: LONG_KEY,
          url: LONG_URL,
          // The longest the curl line gets: both encryption headers, a KMS key ARN (S3_SSE=aws:kms).
          urlHeaders: {
            'x-amz-server-side-encryption': 'aws:kms',
            'x-amz-server-side-encryption-aws-kms-key-id':
              'arn:aws:kms:ap-southeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
            'If-None-Match': '*',
          },
          // Single-use: the If-None-Match header too.
          singleUse: true,
          expiresAt: new Date(NOW.getTime() + 3600_000),
          requestedExpiresAt: new Date(NOW.getTime() + 86_400_000),
          limitedByCredentials: true,
          partner: {
            id: 'A'.repeat(22),
            url: `https://upload.example.com/u/${'A'.repeat(22)}`,
            expiresAt: new Date(NOW.getTime() + 86_400_000),
            singleUse: true,
          },
          limits: NO_LIMITS,
          announce: 'dm',
        },
      },
      NOW,
    );
    expectWithin(reply, MESSAGE);
    // The URL is still there, whole, for the partner's script.
    expect(JSON.stringify(reply.blocks)).toContain(JSON.stringify(LONG_URL).slice(1, -1));
  });

  it('`links` with 40 links of the longest names and keys: within limits, with "… and N more"', () => {
    const links = Array.from({ length: 40 }, (_, i) => link(i));
    const reply = renderLinks({ kind: 'links', scope: { kind: 'everywhere' }, links, total: 140, now: NOW });
    expectWithin(reply, MESSAGE);
    expect(JSON.stringify(reply.blocks)).toMatch(/… and \d+ (older )?links not shown/);
  });

  it('help, for an admin', () => {
    expectWithin(renderHelp({ minSeconds: 60, maxSeconds: 604_800 }, 86_400, true), MESSAGE);
  });

  it('the admin Home tab with 100 channels, 200 entries, 100 admins and 150 groups', () => {
    const view = buildAdminHomeView({
      feedback: Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(300)}`),
      global: { uploadPrefix: 'uploads/', defaultExpirySeconds: 86_400, maxExpirySeconds: 604_800 },
      configAdmins: Array.from({ length: 100 }, (_, i) => `U0CONF${i}`),
      slackAdmins: Array.from({ length: 100 }, (_, i) => ({ userId: `U0ADM${i}`, addedBy: 'U0ADMIN', addedAt: NOW })),
      configAllowed: Array.from({ length: 100 }, (_, i) => `U0ALLOWED${i}`),
      entries: [
        ...Array.from({ length: 100 }, (_, i) => entry(i, '*')),
        ...Array.from({ length: 100 }, (_, i) => entry(i + 100, `C0CH${i}`)),
      ],
      channelSettings: Array.from({ length: 100 }, (_, i) => ({
        channelId: `C0CH${i}`,
        keyPrefix: `${'p'.repeat(500)}/`,
        defaultExpirySeconds: 3600,
        maxExpirySeconds: 7200,
        maxSizeBytes: 1024,
        allowedTypes: Array.from({ length: 30 }, (_, j) => `ext${j}`),
        updatedBy: 'U0ADMIN',
        updatedAt: NOW,
      })),
      groups: {
        ok: true,
        groups: Array.from({ length: 150 }, (_, i) => ({ id: `S0G${i}`, handle: `g${i}`, name: 'n'.repeat(200) })),
      },
    });
    expectWithin(view, VIEW);
  });

  it('the member Home tab with ten links of the longest names and keys', () => {
    const view = buildMemberHomeView({
      everywhere: undefined,
      channels: Array.from({ length: 100 }, (_, i) => ({ channelId: `C0CH${i}`, via: `S0GROUP${i}`, config: false })),
      groupsUnchecked: true,
      admins: Array.from({ length: 100 }, (_, i) => `U0ADMIN${i}`),
      recentLinks: Array.from({ length: 10 }, (_, i) => link(i)),
      now: NOW,
    });
    expectWithin(view, VIEW);
  });
});
