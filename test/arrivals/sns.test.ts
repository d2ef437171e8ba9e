/**
 * `POST /s3/events` over real HTTP: the app, configured with S3_EVENTS_SNS_TOPIC_ARN, receives SNS messages signed
 * with a locally generated certificate, which it fetches (and confirms subscriptions) through a loopback stand-in
 * for `sns.us-east-1.amazonaws.com` (test/support/sns.ts). Only SNS and Slack's Web API are stand-ins.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED, startTestApp, type TestApp } from '../support/app.js';
import { awsRecord } from '../support/s3-events.js';
import {
  type FakeSnsHost,
  makeCertificate,
  signMessage,
  startFakeSnsHost,
  type TestCertificate,
} from '../support/sns.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:upload-link-events';
const HOST = 'sns.us-east-1.amazonaws.com';
const CERT_PATH = '/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
const TOKEN = '2336412f37fb687f5d51e6e241d164b0533302ec696efc8f113cd2252ce8a925';
const SUBSCRIBE_PATH = `/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC)}&Token=${TOKEN}`;

let certificate: TestCertificate;
beforeAll(() => {
  certificate = makeCertificate(HOST);
});

function notification(message: unknown, fields: Record<string, string> = {}) {
  return signMessage(
    {
      Type: 'Notification',
      MessageId: 'e4b1f1b6-3c3a-4f7e-9d0e-5b1b6d1e2f3a',
      TopicArn: TOPIC,
      Subject: 'Amazon S3 Notification',
      Message: JSON.stringify(message),
      Timestamp: new Date().toISOString(),
      SigningCertURL: `https://${HOST}${CERT_PATH}`,
      ...fields,
    },
    certificate.key,
    '2',
  );
}

function confirmation(type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation') {
  return signMessage(
    {
      Type: type,
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token: TOKEN,
      TopicArn: TOPIC,
      Message: `You have chosen to subscribe to the topic ${TOPIC}.`,
      SubscribeURL: `https://${HOST}${SUBSCRIBE_PATH}`,
      Timestamp: new Date().toISOString(),
      SigningCertURL: `https://${HOST}${CERT_PATH}`,
    },
    certificate.key,
    '1',
  );
}

describe('S3 events through Amazon SNS at /s3/events', () => {
  let sns: FakeSnsHost;
  let app: TestApp;
  beforeAll(async () => {
    sns = await startFakeSnsHost(certificate);
  });
  afterAll(() => sns.close());
  afterEach(async () => {
    sns.requests.length = 0;
    await app?.close();
  });

  async function start() {
    app = await startTestApp({ env: { S3_EVENTS_SNS_TOPIC_ARN: TOPIC }, snsAgent: sns.agent, arrivalTickMs: 0 });
    app.slack.handle('chat.postMessage', () => ({ ok: true, ts: '1.2' }));
    await app.command({ text: '"annual report.pdf"', user_id: ALLOWED, channel_id: 'C0ACME' });
    const [issued] = await app.store.audit.list({ action: 'link.issued', limit: 1 });
    return issued?.detail.key ?? '';
  }

  // SNS posts its JSON as text/plain.
  const post = async (body: unknown) => {
    const response = await fetch(`${app.baseUrl}/s3/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: await response.text() };
  };
  const posts = () => app.slack.calls.filter((c) => c.method === 'chat.postMessage');
  const uploads = () => app.store.audit.list({ action: 'link.uploaded', limit: 5 });

  it('a valid notification is announced once, however often SNS delivers it', async () => {
    const key = await start();
    const message = notification({ Records: [awsRecord(app.s3.bucket, key, { size: 1234, eTag: 'a1b2' })] });
    expect((await post(message)).status).toBe(200);
    expect((await post(message)).status).toBe(200);
    const announced = await app.slack.waitForCall('chat.postMessage');
    expect(String(announced.args.text)).toContain('*annual report.pdf* (1.2 KB) has arrived');
    await app.arrivals.runOnce();
    expect(posts()).toHaveLength(1);
    expect((await uploads()).map((e) => e.detail.source)).toEqual(['event']);
    expect(sns.requests).toEqual([`GET ${CERT_PATH}`]);
  });

  it('a tampered notification is refused with 403 and changes nothing', async () => {
    const key = await start();
    const message = notification({ Records: [awsRecord(app.s3.bucket, key, { size: 1, eTag: 'a' })] });
    const other = JSON.stringify({ Records: [awsRecord(app.s3.bucket, key, { size: 666, eTag: 'evil' })] });
    expect(await post({ ...message, Message: other })).toEqual({ status: 403, body: '{"error":"bad-signature"}' });
    expect(await uploads()).toHaveLength(0);
    expect(posts()).toHaveLength(0);
    expect(app.logs.join('\n')).toMatch(/WARN.*SNS message refused \(bad-signature\)/);
  });

  it('a message for another topic is refused with 403 before any certificate is fetched', async () => {
    const key = await start();
    const record = awsRecord(app.s3.bucket, key, { size: 1, eTag: 'a' });
    const other = notification({ Records: [record] }, { TopicArn: 'arn:aws:sns:us-east-1:123456789012:other' });
    expect(await post(other)).toEqual({ status: 403, body: '{"error":"wrong-topic"}' });
    expect(sns.requests).toEqual([]);
    expect(await uploads()).toHaveLength(0);
  });

  it('an unsigned message, or no JSON at all, is refused with 400', async () => {
    const key = await start();
    const signed = notification({ Records: [awsRecord(app.s3.bucket, key, { size: 1, eTag: 'a' })] });
    const { Signature: _dropped, ...unsigned } = signed;
    expect((await post(unsigned)).status).toBe(400);
    expect((await post('Type=Notification')).status).toBe(400);
    expect(await uploads()).toHaveLength(0);
  });

  it('a SubscriptionConfirmation for our topic is confirmed: the SubscribeURL is called once', async () => {
    await start();
    expect(await post(confirmation('SubscriptionConfirmation'))).toEqual({ status: 200, body: '{"ok":true}' });
    expect(sns.requests.filter((r) => r.includes('ConfirmSubscription'))).toEqual([`GET ${SUBSCRIBE_PATH}`]);
    expect(app.logs.join('\n')).toContain(`Confirmed the SNS subscription to ${TOPIC}`);
  });

  it('an UnsubscribeConfirmation is acknowledged and logged, and its SubscribeURL never visited', async () => {
    await start();
    expect((await post(confirmation('UnsubscribeConfirmation'))).status).toBe(200);
    expect(sns.requests).toEqual([`GET ${CERT_PATH}`]);
    expect(app.logs.join('\n')).toMatch(
      /WARN.*unsubscribed from arn:aws:sns:us-east-1:123456789012:upload-link-events/,
    );
  });

  it("S3's test event is acknowledged and announces nothing", async () => {
    await start();
    const test = { Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: app.s3.bucket };
    expect((await post(notification(test))).status).toBe(200);
    expect(app.logs.join('\n')).toContain(`S3 test event for bucket "${app.s3.bucket}" received through SNS`);
    expect(posts()).toHaveLength(0);
  });

  it('a certificate host that cannot be reached is a 503, so SNS delivers again', async () => {
    const key = await start();
    sns.certificateAnswers.push({ status: 200, hang: true });
    const message = notification({ Records: [awsRecord(app.s3.bucket, key, { size: 1, eTag: 'a' })] });
    // The default timeout is 5 s; this test waits for it once.
    expect((await post(message)).status).toBe(503);
    expect(await uploads()).toHaveLength(0);
  }, 15_000);
});
