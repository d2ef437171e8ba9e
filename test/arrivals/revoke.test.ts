/**
 * Issue 10: an upload that lands after a revoke does not vanish. The page's PUT was signed before the revoke (S3
 * alone decides whether it still uploads); its /complete then answers 410, and the arrival is recorded and announced
 * as arrived after revoke. (Raw URLs after a revoke: webhook.test.ts and poller.test.ts.)
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ALLOWED, startTestApp, type TestApp } from '../support/app.js';

const md5 = (text: string) => createHash('md5').update(text).digest('base64');

describe('an upload landing after its link was revoked', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  it('a page PUT signed before the revoke: /complete answers 410, the arrival is audited and announced as after revoke', async () => {
    app = await startTestApp({ env: { PUBLIC_URL: 'https://upload.example.com' }, arrivalTickMs: 0 });
    app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1.2' }));
    const reply = await app.command({ text: 'contract.pdf', user_id: ALLOWED, channel_id: 'C0ACME' });
    const id = /\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body)?.[1] ?? '';
    const sign = await fetch(`${app.baseUrl}/u/${id}/sign`, {
      method: 'POST',
      body: JSON.stringify({ name: 'contract.pdf', size: 6, md5: md5('signed') }),
    });
    const signed = (await sign.json()) as { url: string; headers: Record<string, string> };
    expect((await app.command({ text: `revoke ${id}`, user_id: ALLOWED })).status).toBe(200);

    expect((await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: 'signed' })).status).toBe(200);
    const done = await fetch(`${app.baseUrl}/u/${id}/complete`, { method: 'POST' });
    expect(done.status).toBe(410);

    const [uploaded] = await app.store.audit.list({ action: 'link.uploaded', limit: 1 });
    expect(uploaded?.detail).toMatchObject({
      source: 'page',
      afterRevoke: true,
      size: 6,
      contentType: 'application/pdf',
    });
    const post = await app.slack.waitForCall('chat.postMessage');
    expect(String(post.args.text)).toContain(
      "*contract.pdf* (6 B) has arrived through <@U0ALICE>'s upload link after it was revoked",
    );
    // The page asking again changes nothing.
    expect((await fetch(`${app.baseUrl}/u/${id}/complete`, { method: 'POST' })).status).toBe(410);
    await app.arrivals.runOnce();
    expect(app.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });

  it('a revoked link whose page never uploaded: /complete answers 410 and records nothing', async () => {
    app = await startTestApp({ env: { PUBLIC_URL: 'https://upload.example.com' }, arrivalTickMs: 0 });
    const reply = await app.command({ text: 'nothing.pdf', user_id: ALLOWED });
    const id = /\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body)?.[1] ?? '';
    await app.command({ text: `revoke ${id}`, user_id: ALLOWED });
    expect((await fetch(`${app.baseUrl}/u/${id}/complete`, { method: 'POST' })).status).toBe(410);
    expect(await app.store.audit.list({ action: 'link.uploaded', limit: 1 })).toEqual([]);
  });
});
