/**
 * The SNS verifier behind `POST /s3/events` (src/arrivals/sns.ts), against a loopback stand-in for the SNS host that
 * serves a locally generated certificate over real TLS: every URL, host and signature check runs as in production.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSnsVerifier, SnsMessageRejectedError } from '../../src/arrivals/sns.js';
import { parseTopicArn } from '../../src/arrivals/topic.js';
import {
  type FakeSnsHost,
  makeCertificate,
  signMessage,
  startFakeSnsHost,
  stringToSign,
  type TestCertificate,
} from '../support/sns.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:upload-link-s3-events';
const HOST = 'sns.us-east-1.amazonaws.com';
const CERT_PATH = '/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
const CERT_URL = `https://${HOST}${CERT_PATH}`;
const TOKEN = '2336412f37fb687f5d51e6e241d164b0533302ec696efc8f113cd2252ce8a925';
const SUBSCRIBE_URL = `https://${HOST}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC)}&Token=${TOKEN}`;

const S3_EVENT = JSON.stringify({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2026-01-01T00:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'uploads', arn: 'arn:aws:s3:::uploads' },
        object: { key: 'C0123/r%C3%A9sum%C3%A9+final.pdf', size: 1024, eTag: 'abc' },
      },
    },
  ],
});
const S3_TEST_EVENT = JSON.stringify({
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2026-01-01T00:00:00.000Z',
  Bucket: 'uploads',
  RequestId: 'R',
  HostId: 'H',
});

const notification = (fields: Record<string, string> = {}): Record<string, string> => ({
  Type: 'Notification',
  MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
  TopicArn: TOPIC,
  Subject: 'Amazon S3 Notification',
  Message: S3_EVENT,
  Timestamp: '2026-01-01T00:00:01.000Z',
  SigningCertURL: CERT_URL,
  UnsubscribeURL: `https://${HOST}/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:1`,
  ...fields,
});

const confirmation = (
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
  fields: Record<string, string> = {},
): Record<string, string> => ({
  Type: type,
  MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
  Token: TOKEN,
  TopicArn: TOPIC,
  Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL.`,
  SubscribeURL: SUBSCRIBE_URL,
  Timestamp: '2026-01-01T00:00:00.000Z',
  SigningCertURL: CERT_URL,
  ...fields,
});

let certificate: TestCertificate;
let sns: FakeSnsHost | undefined;

beforeAll(() => {
  certificate = makeCertificate(HOST);
});

afterEach(async () => {
  await sns?.close();
  sns = undefined;
});

async function setup(timeoutMs?: number) {
  sns = await startFakeSnsHost(certificate);
  const verifier = createSnsVerifier({ topicArn: TOPIC, agent: sns.agent, timeoutMs });
  return { sns, verifier };
}

async function refusal(promise: Promise<unknown>): Promise<SnsMessageRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnsMessageRejectedError);
  return error as SnsMessageRejectedError;
}

describe('parseTopicArn', () => {
  it.each([
    ['arn:aws:sns:us-east-1:123456789012:t', 'sns.us-east-1.amazonaws.com'],
    ['arn:aws:sns:eu-central-1:123456789012:my_topic-2', 'sns.eu-central-1.amazonaws.com'],
    ['arn:aws-us-gov:sns:us-gov-west-1:123456789012:t', 'sns.us-gov-west-1.amazonaws.com'],
    ['arn:aws-cn:sns:cn-north-1:123456789012:t', 'sns.cn-north-1.amazonaws.com.cn'],
  ])('%s → %s', (arn, host) => {
    expect(parseTopicArn(arn)?.host).toBe(host);
  });

  it.each([
    'arn:aws:sqs:us-east-1:123456789012:t',
    'arn:aws:sns:us-east-1:123456789012',
    'arn:aws:sns:evil.example/x:123456789012:t',
    'arn:aws:sns:us-east-1:123:t',
    'arn:aws-iso:sns:us-iso-east-1:123456789012:t',
    'arn:aws:sns:us-east-1:123456789012:t:extra',
  ])('refuses %s', (arn) => {
    expect(parseTopicArn(arn)).toBeUndefined();
    expect(() => createSnsVerifier({ topicArn: arn })).toThrow(/Not an SNS topic ARN/);
  });
});

describe('the string to sign', () => {
  it('lists the signed keys in byte order, each as key\\nvalue\\n, Subject only when present', () => {
    const withoutSubject = notification();
    delete withoutSubject.Subject;
    expect(stringToSign(withoutSubject)).toBe(
      `Message\n${S3_EVENT}\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n` +
        `Timestamp\n2026-01-01T00:00:01.000Z\nTopicArn\n${TOPIC}\nType\nNotification\n`,
    );
    const unsubscribe = confirmation('UnsubscribeConfirmation');
    expect(stringToSign(unsubscribe)).toBe(
      `Message\n${unsubscribe.Message}\nMessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\nSubscribeURL\n${SUBSCRIBE_URL}\n` +
        `Timestamp\n2026-01-01T00:00:00.000Z\nToken\n${TOKEN}\nTopicArn\n${TOPIC}\nType\nUnsubscribeConfirmation\n`,
    );
  });
});

describe.each(['1', '2'] as const)('SignatureVersion %s', (version) => {
  it('accepts a Notification and fetches the certificate once for two messages', async () => {
    const { sns, verifier } = await setup();
    const first = await verifier.verify(signMessage(notification(), certificate.key, version));
    expect(first).toEqual({
      type: 'Notification',
      messageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
      topicArn: TOPIC,
      timestamp: '2026-01-01T00:00:01.000Z',
      subject: 'Amazon S3 Notification',
      message: S3_EVENT,
    });
    await verifier.verify(
      JSON.stringify(signMessage(notification({ Message: S3_TEST_EVENT }), certificate.key, version)),
    );
    expect(sns.requests).toEqual([`GET ${CERT_PATH}`]);
  });

  it('accepts a Notification without Subject', async () => {
    const { verifier } = await setup();
    const unsigned = notification();
    delete unsigned.Subject;
    const message = await verifier.verify(signMessage(unsigned, certificate.key, version));
    expect(message).toMatchObject({ type: 'Notification', subject: undefined });
  });

  it('accepts a SubscriptionConfirmation and confirms it on the pinned host', async () => {
    const { sns, verifier } = await setup();
    const message = await verifier.verify(
      signMessage(confirmation('SubscriptionConfirmation'), certificate.key, version),
    );
    expect(message).toMatchObject({ type: 'SubscriptionConfirmation', token: TOKEN, subscribeUrl: SUBSCRIBE_URL });
    if (message.type !== 'SubscriptionConfirmation') throw new Error('unreachable');
    await verifier.confirmSubscription(message);
    expect(sns.requests).toEqual([`GET ${CERT_PATH}`, `GET ${SUBSCRIBE_URL.slice(`https://${HOST}`.length)}`]);
  });

  it('accepts an UnsubscribeConfirmation (Token is signed) and asks nothing but the certificate', async () => {
    const { sns, verifier } = await setup();
    const message = await verifier.verify(
      signMessage(confirmation('UnsubscribeConfirmation'), certificate.key, version),
    );
    expect(message).toMatchObject({ type: 'UnsubscribeConfirmation', token: TOKEN });
    expect(sns.requests).toEqual([`GET ${CERT_PATH}`]);
  });

  it.each([
    ['Message', { Message: '{"Records":[]}' }],
    ['Subject', { Subject: 'Hello' }],
    ['MessageId', { MessageId: 'other' }],
    ['Timestamp', { Timestamp: '2030-01-01T00:00:00.000Z' }],
  ])('refuses a Notification whose %s was changed after signing', async (_field, change) => {
    const { verifier } = await setup();
    const signed = { ...signMessage(notification(), certificate.key, version), ...change };
    expect((await refusal(verifier.verify(signed))).reason).toBe('bad-signature');
  });

  it('refuses a Notification whose Subject was removed after signing', async () => {
    const { verifier } = await setup();
    const signed = signMessage(notification(), certificate.key, version);
    delete signed.Subject;
    expect((await refusal(verifier.verify(signed))).reason).toBe('bad-signature');
  });

  it('refuses a confirmation whose Token or SubscribeURL query was changed after signing', async () => {
    const { sns, verifier } = await setup();
    const signed = signMessage(confirmation('SubscriptionConfirmation'), certificate.key, version);
    expect((await refusal(verifier.verify({ ...signed, Token: 'x' }))).reason).toBe('bad-signature');
    const otherToken = { ...signed, SubscribeURL: `${SUBSCRIBE_URL}0` };
    expect((await refusal(verifier.verify(otherToken))).reason).toBe('bad-signature');
    expect(sns.requests.every((r) => r === `GET ${CERT_PATH}`)).toBe(true);
  });

  it('refuses a message signed with another key', async () => {
    const { verifier } = await setup();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const error = await refusal(verifier.verify(signMessage(notification(), privateKey, version)));
    expect(error).toMatchObject({ reason: 'bad-signature', status: 403 });
  });

  it('refuses a validly signed message for another topic without fetching anything', async () => {
    const { sns, verifier } = await setup();
    const other = 'arn:aws:sns:us-east-1:123456789012:someone-else';
    const error = await refusal(
      verifier.verify(signMessage(notification({ TopicArn: other }), certificate.key, version)),
    );
    expect(error).toMatchObject({ reason: 'wrong-topic', status: 403 });
    expect(sns.requests).toEqual([]);
  });
});

describe('certificate URL', () => {
  it.each([
    ['another host', `https://evil.example${CERT_PATH}`],
    ['another region', `https://sns.eu-west-1.amazonaws.com${CERT_PATH}`],
    ['a look-alike host', `https://${HOST}.evil.example${CERT_PATH}`],
    ['http', `http://${HOST}${CERT_PATH}`],
    ['a port', `https://${HOST}:8443${CERT_PATH}`],
    ['the default port spelled out', `https://${HOST}:443${CERT_PATH}`],
    ['userinfo', `https://evil.example@${HOST}${CERT_PATH}`],
    ['a query', `${CERT_URL}?x=1`],
    ['another path', `https://${HOST}/other.pem`],
    ['an upper-case host', `https://SNS.US-EAST-1.AMAZONAWS.COM${CERT_PATH}`],
    ['not a URL', 'SimpleNotificationService.pem'],
  ])('on %s is refused before any fetch', async (_case, url) => {
    const { sns, verifier } = await setup();
    const error = await refusal(
      verifier.verify(signMessage(notification({ SigningCertURL: url }), certificate.key, '2')),
    );
    expect(error).toMatchObject({ reason: 'untrusted-certificate-url', status: 403 });
    expect(sns.requests).toEqual([]);
  });
});

describe('SubscribeURL', () => {
  it.each([
    ['another host', SUBSCRIBE_URL.replace(HOST, 'evil.example')],
    ['another region', SUBSCRIBE_URL.replace('us-east-1', 'eu-west-1')],
    ['http', SUBSCRIBE_URL.replace('https:', 'http:')],
    ['a port', SUBSCRIBE_URL.replace(HOST, `${HOST}:8443`)],
    ['another action', SUBSCRIBE_URL.replace('ConfirmSubscription', 'Unsubscribe')],
    ['another topic', SUBSCRIBE_URL.replace('upload-link-s3-events', 'someone-else')],
    ['another path', SUBSCRIBE_URL.replace('/?', '/x?')],
  ])('on %s is refused and never visited', async (_case, url) => {
    const { sns, verifier } = await setup();
    for (const type of ['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const) {
      const signed = signMessage(confirmation(type, { SubscribeURL: url }), certificate.key, '2');
      expect((await refusal(verifier.verify(signed))).reason).toBe('untrusted-subscribe-url');
    }
    expect(sns.requests).toEqual([]);
  });

  it('is checked again by confirmSubscription', async () => {
    const { sns, verifier } = await setup();
    const forged = {
      type: 'SubscriptionConfirmation' as const,
      messageId: 'm',
      topicArn: TOPIC,
      timestamp: 't',
      message: 'm',
      token: TOKEN,
      subscribeUrl: SUBSCRIBE_URL.replace(HOST, 'evil.example'),
    };
    await expect(verifier.confirmSubscription(forged)).rejects.toThrow(SnsMessageRejectedError);
    expect(sns.requests).toEqual([]);
  });
});

describe('malformed messages', () => {
  const signed = () => signMessage(notification(), certificate.key, '2');
  it.each<[string, () => unknown]>([
    ['null', () => null],
    ['an array', () => [signed()]],
    ['text that is not JSON', () => 'Type=Notification'],
    ['no Signature (unsigned)', () => ({ ...signed(), Signature: undefined })],
    ['an empty Signature', () => ({ ...signed(), Signature: '' })],
    ['SignatureVersion 3', () => ({ ...signed(), SignatureVersion: '3' })],
    ['an unknown Type', () => ({ ...signed(), Type: 'Other' })],
    ['a numeric Message', () => ({ ...signed(), Message: 1 })],
    [
      'a confirmation without Token',
      () => ({ ...signMessage(confirmation('SubscriptionConfirmation'), certificate.key, '2'), Token: undefined }),
    ],
  ])('%s is refused with 400 before any fetch', async (_case, body) => {
    const { sns, verifier } = await setup();
    const error = await refusal(verifier.verify(body()));
    expect(error).toMatchObject({ reason: 'malformed', status: 400 });
    expect(sns.requests).toEqual([]);
  });
});

describe('certificate fetch failures', () => {
  it('an error page is not kept: the next message with that certificate verifies', async () => {
    const { sns, verifier } = await setup();
    sns.certificateAnswers.push({ status: 503, body: 'Service Unavailable' });
    const message = signMessage(notification(), certificate.key, '2');
    expect((await refusal(verifier.verify(message))).reason).toBe('bad-signature');
    await expect(verifier.verify(message)).resolves.toMatchObject({ type: 'Notification' });
    expect(sns.requests).toEqual([`GET ${CERT_PATH}`, `GET ${CERT_PATH}`]);
  });

  it('a certificate host that does not answer is a 503 within the timeout', async () => {
    const { sns, verifier } = await setup(300);
    sns.certificateAnswers.push({ status: 200, hang: true });
    const error = await refusal(verifier.verify(signMessage(notification(), certificate.key, '2')));
    expect(error).toMatchObject({ reason: 'certificate-unavailable', status: 503 });
    expect(error.message).toContain('no answer within 300 ms');
  });

  it('a certificate host that is down is a 503', async () => {
    const { sns, verifier } = await setup();
    await sns.close();
    const error = await refusal(verifier.verify(signMessage(notification(), certificate.key, '2')));
    expect(error).toMatchObject({ reason: 'certificate-unavailable', status: 503 });
  });
});

describe('the test seam', () => {
  it('still checks the SNS host name: a trusted certificate for another name is refused', async () => {
    sns = await startFakeSnsHost(certificate, { tls: makeCertificate('other.example') });
    const verifier = createSnsVerifier({ topicArn: TOPIC, agent: sns.agent });
    const error = await refusal(verifier.verify(signMessage(notification(), certificate.key, '2')));
    expect(error).toMatchObject({ reason: 'certificate-unavailable' });
    expect(error.message).toMatch(/altnames/i);
    expect(sns.requests).toEqual([]);
  });

  it('trusts only the certificate it is given: one for the right name from an unknown issuer is refused', async () => {
    sns = await startFakeSnsHost(certificate, { tls: makeCertificate(HOST), trust: certificate });
    const verifier = createSnsVerifier({ topicArn: TOPIC, agent: sns.agent });
    const error = await refusal(verifier.verify(signMessage(notification(), certificate.key, '2')));
    expect(error).toMatchObject({ reason: 'certificate-unavailable' });
    expect(error.message).toMatch(/self[- ]signed|unable to verify/i);
  });
});
