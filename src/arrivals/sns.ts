/**
 * Amazon SNS HTTPS messages for one topic: structure, topic and host checks here, the signature by
 * `sns-payload-validator` (SignatureVersion 1 and 2).
 *
 * Why the checks around the validator: it pins certificate URLs to *any* `sns.<region>.amazonaws.com(.cn)` host and
 * checks no topic and no SubscribeURL. We pin both URLs to the topic's own regional host, refuse other topics before
 * any network call, and never follow a URL a message names unless it is on that host over HTTPS. UnsubscribeURL and
 * the request's headers are not signed, so they are never trusted.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 */
import https from 'node:https';
import Validator from 'sns-payload-validator';
import { parseTopicArn, type SnsTopic } from './topic.js';

export type SnsRejection =
  /** Not an SNS message: not JSON, a field missing or not a string, an unknown Type or SignatureVersion. */
  | 'malformed'
  /** Signed or not, it names a topic other than the configured one. */
  | 'wrong-topic'
  /** SigningCertURL is not https://<pinned host>/SimpleNotificationService-….pem */
  | 'untrusted-certificate-url'
  /** SubscribeURL is not https://<pinned host>/?Action=ConfirmSubscription&TopicArn=<ours>&… */
  | 'untrusted-subscribe-url'
  /** The signature does not match the message under the certificate at SigningCertURL. */
  | 'bad-signature'
  /** The certificate could not be fetched (network, timeout): not the sender's fault, worth a retry. */
  | 'certificate-unavailable';

const STATUS: Record<SnsRejection, number> = {
  malformed: 400,
  'wrong-topic': 403,
  'untrusted-certificate-url': 403,
  'untrusted-subscribe-url': 403,
  'bad-signature': 403,
  // SNS retries deliveries only on 5xx (and timeouts).
  'certificate-unavailable': 503,
};

export class SnsMessageRejectedError extends Error {
  override readonly name = 'SnsMessageRejectedError';
  /** What to answer SNS: 4xx for anything the sender got wrong, 503 when we could not check. */
  readonly status: number;
  constructor(
    readonly reason: SnsRejection,
    detail: string,
  ) {
    super(`SNS message refused (${reason}): ${detail}`);
    this.status = STATUS[reason];
  }
}

export class SnsConfirmationError extends Error {
  override readonly name = 'SnsConfirmationError';
}

interface SnsBase {
  readonly messageId: string;
  readonly topicArn: string;
  readonly timestamp: string;
  readonly message: string;
}

export interface SnsNotification extends SnsBase {
  readonly type: 'Notification';
  readonly subject: string | undefined;
}

export interface SnsSubscriptionMessage extends SnsBase {
  readonly type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  readonly token: string;
  /** Checked: https, the pinned host, Action=ConfirmSubscription, our TopicArn. Visiting it (re)subscribes. */
  readonly subscribeUrl: string;
}

export type SnsMessage = SnsNotification | SnsSubscriptionMessage;

const TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
type SnsType = (typeof TYPES)[number];

/** Every field SNS signs or we read, per Type; anything else in the body is dropped before validation. */
const FIELDS: Record<SnsType, readonly string[]> = {
  Notification: ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp'],
  SubscriptionConfirmation: ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'Token', 'SubscribeURL'],
  UnsubscribeConfirmation: ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'Token', 'SubscribeURL'],
};
const SIGNATURE_FIELDS = ['SignatureVersion', 'Signature', 'SigningCertURL'] as const;

const CERT_PATH = /^\/SimpleNotificationService-[a-zA-Z0-9]{32}\.pem$/;

/** The validator's own errors for a message that does not verify (sns-payload-validator lib/index.js). */
const SIGNATURE_ERRORS = new Set(['Invalid Signature', 'Invalid SignatureVersion', 'Invalid SigningCertURL']);

function urlOrReject(raw: string, reason: SnsRejection): URL {
  try {
    return new URL(raw);
  } catch {
    throw new SnsMessageRejectedError(reason, 'not a URL');
  }
}

function checkSubscribeUrl(topic: SnsTopic, raw: string): void {
  const url = urlOrReject(raw, 'untrusted-subscribe-url');
  if (
    url.protocol !== 'https:' ||
    url.hostname !== topic.host ||
    url.port !== '' ||
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.searchParams.get('Action') !== 'ConfirmSubscription' ||
    url.searchParams.get('TopicArn') !== topic.arn
  ) {
    throw new SnsMessageRejectedError('untrusted-subscribe-url', `${url.protocol}//${url.host}${url.pathname}`);
  }
}

function checkCertUrl(topic: SnsTopic, raw: string): void {
  const url = urlOrReject(raw, 'untrusted-certificate-url');
  // Whole-string comparison: no port, userinfo, query, fragment, case or encoding variants.
  if (url.protocol !== 'https:' || !CERT_PATH.test(url.pathname) || raw !== `https://${topic.host}${url.pathname}`) {
    throw new SnsMessageRejectedError('untrusted-certificate-url', `${url.protocol}//${url.host}`);
  }
}

/** The body → exactly the fields to validate, after every check that needs no network. */
function readPayload(topic: SnsTopic, body: unknown): Record<string, string> {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new SnsMessageRejectedError('malformed', 'body is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SnsMessageRejectedError('malformed', 'not an object');
  }
  const fields = value as Record<string, unknown>;
  const type = fields.Type;
  if (!TYPES.includes(type as SnsType)) throw new SnsMessageRejectedError('malformed', 'unknown Type');
  const payload: Record<string, string> = {};
  for (const name of [...FIELDS[type as SnsType], ...SIGNATURE_FIELDS]) {
    const field = fields[name];
    if (typeof field !== 'string' || field === '') throw new SnsMessageRejectedError('malformed', `${name} missing`);
    payload[name] = field;
  }
  if (type === 'Notification' && fields.Subject !== undefined) {
    if (typeof fields.Subject !== 'string') throw new SnsMessageRejectedError('malformed', 'Subject not a string');
    payload.Subject = fields.Subject;
  }
  if (payload.SignatureVersion !== '1' && payload.SignatureVersion !== '2') {
    throw new SnsMessageRejectedError('malformed', 'SignatureVersion is neither 1 nor 2');
  }
  if (payload.TopicArn !== topic.arn)
    throw new SnsMessageRejectedError('wrong-topic', JSON.stringify(payload.TopicArn));
  checkCertUrl(topic, payload.SigningCertURL as string);
  if (type !== 'Notification') checkSubscribeUrl(topic, payload.SubscribeURL as string);
  return payload;
}

function toMessage(payload: Record<string, string>): SnsMessage {
  const base = {
    messageId: payload.MessageId as string,
    topicArn: payload.TopicArn as string,
    timestamp: payload.Timestamp as string,
    message: payload.Message as string,
  };
  if (payload.Type === 'Notification') return { type: 'Notification', ...base, subject: payload.Subject };
  return {
    type: payload.Type as SnsSubscriptionMessage['type'],
    ...base,
    token: payload.Token as string,
    subscribeUrl: payload.SubscribeURL as string,
  };
}

export interface SnsVerifierOptions {
  readonly topicArn: string;
  /**
   * How we reach the topic's SNS host, for certificates and confirmations (kept alive by default). Tests pass one
   * that connects to a loopback server presenting a certificate for the SNS host name and trusts only that
   * certificate, so every URL and host check still runs as in production.
   */
  readonly agent?: https.Agent;
  /** Certificate fetch and confirmation GET, each; SNS waits 15 s for our answer by default. */
  readonly timeoutMs?: number;
}

export interface SnsVerifier {
  readonly topic: SnsTopic;
  /** The parsed JSON body (or its text) of a POST from SNS; rejects with SnsMessageRejectedError. */
  verify(body: unknown): Promise<SnsMessage>;
  /** GET the (already checked) SubscribeURL; rejects with SnsConfirmationError unless SNS answers 200. */
  confirmSubscription(message: SnsSubscriptionMessage): Promise<void>;
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, fail) => {
    // The validator sets no timeout of its own; its request may linger, our answer to SNS must not.
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    work.then(resolve, fail).finally(() => clearTimeout(timer));
  });
}

function confirm(url: string, agent: https.Agent, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, fail) => {
    // https.get follows no redirects, which is what we want: only the pinned host is ever asked.
    const request = https.get(url, { agent, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      res.resume();
      if (res.statusCode === 200) res.on('end', () => resolve());
      else fail(new SnsConfirmationError(`ConfirmSubscription answered ${res.statusCode}`));
    });
    request.on('error', (error) => fail(new SnsConfirmationError(`ConfirmSubscription failed: ${error.message}`)));
  });
}

export function createSnsVerifier(options: SnsVerifierOptions): SnsVerifier {
  const topic = parseTopicArn(options.topicArn);
  if (topic === undefined) throw new Error(`Not an SNS topic ARN in a supported partition: ${options.topicArn}`);
  const agent = options.agent ?? new https.Agent({ keepAlive: true });
  const timeoutMs = options.timeoutMs ?? 5000;
  // The validator caches whatever the certificate URL answered, error pages included, with no expiry. A fresh
  // validator (and cache) after any failure on a URL that never verified a message keeps one bad answer from
  // refusing that certificate's messages until restart.
  const newValidator = () => new Validator({ useCache: true, maxCerts: 20, requestAgent: agent });
  let validator = newValidator();
  const provenCertUrls = new Set<string>();

  return {
    topic,
    async verify(body) {
      const payload = readPayload(topic, body);
      const certUrl = payload.SigningCertURL as string;
      const used = validator;
      try {
        // The library's SnsPayload type is narrower than what it reads; payload holds exactly the fields above.
        await withTimeout(used.validate(payload as unknown as Validator.SnsPayload), timeoutMs);
      } catch (error) {
        if (!provenCertUrls.has(certUrl) && validator === used) validator = newValidator();
        const message = error instanceof Error ? error.message : String(error);
        if (SIGNATURE_ERRORS.has(message)) throw new SnsMessageRejectedError('bad-signature', message);
        throw new SnsMessageRejectedError('certificate-unavailable', message);
      }
      provenCertUrls.add(certUrl);
      return toMessage(payload);
    },
    async confirmSubscription(message) {
      // Checked again: the caller might hand us a message it built itself.
      checkSubscribeUrl(topic, message.subscribeUrl);
      await confirm(message.subscribeUrl, agent, timeoutMs);
    },
  };
}
