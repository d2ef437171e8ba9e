/**
 * A stand-in for `sns.<region>.amazonaws.com` on loopback (SNS itself is out of reach in tests): it serves the signing certificate and answers
 * ConfirmSubscription, over real TLS with a certificate made for the SNS host name. The agent it hands out connects
 * there whatever the URL's host, verifies that host name against the certificate, and trusts nothing else.
 * Also: the signer SNS would be, with the string to sign from the AWS docs.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

export interface TestCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly key: KeyObject;
}

/**
 * A self-signed RSA certificate for `hostName`, valid two days, from the `openssl` CLI (in the machine image; Node
 * has no certificate generator). Doubles as the TLS server certificate and as the SNS signing certificate.
 */
export function makeCertificate(hostName: string): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'sns-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      // biome-ignore format: one option per line reads better
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
        '-keyout', keyPath, '-out', certPath,
        '-subj', `/CN=${hostName}`,
        '-addext', `subjectAltName=DNS:${hostName}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const keyPem = readFileSync(keyPath, 'utf8');
    return { certPem: readFileSync(certPath, 'utf8'), keyPem, key: createPrivateKey(keyPem) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends every connection to one loopback port; TLS still checks the URL's host name, against `ca` only. */
export class LoopbackAgent extends https.Agent {
  constructor(
    private readonly port: number,
    ca: string,
  ) {
    super({ ca, keepAlive: false });
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    // `servername` (SNI and the identity check) was set from the URL's host before this is called.
    return super.createConnection({ ...options, host: '127.0.0.1', port: this.port }, callback);
  }
}

export interface FakeSnsHost {
  readonly agent: LoopbackAgent;
  /** Every request that reached the host, `GET /path?query`. */
  readonly requests: string[];
  /** How to answer the next certificate requests (status 200 and the PEM by default). */
  certificateAnswers: { status: number; body?: string; hang?: boolean }[];
  close(): Promise<void>;
}

export const CONFIRM_RESPONSE =
  '<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn</SubscriptionArn>' +
  '</ConfirmSubscriptionResult></ConfirmSubscriptionResponse>';

export interface FakeSnsHostOptions {
  /** What the TLS server presents; the signing certificate by default. */
  readonly tls?: TestCertificate;
  /** What the agent trusts; the TLS certificate by default. */
  readonly trust?: TestCertificate;
}

export async function startFakeSnsHost(
  certificate: TestCertificate,
  options: FakeSnsHostOptions = {},
): Promise<FakeSnsHost> {
  const tls = options.tls ?? certificate;
  const trust = options.trust ?? tls;
  const requests: string[] = [];
  const host = { certificateAnswers: [] as FakeSnsHost['certificateAnswers'] };
  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'https://sns.invalid');
    if (url.pathname.endsWith('.pem')) {
      const answer = host.certificateAnswers.shift() ?? { status: 200 };
      if (answer.hang) return;
      res.writeHead(answer.status, { 'content-type': 'application/x-x509-ca-cert' });
      res.end(answer.body ?? (answer.status === 200 ? certificate.certPem : '<Error>Not found</Error>'));
      return;
    }
    if (url.pathname === '/' && url.searchParams.get('Action') === 'ConfirmSubscription') {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(CONFIRM_RESPONSE);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new LoopbackAgent(port, trust.certPem);
  return Object.assign(host, {
    agent,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/**
 * The string SNS signs: for each key present, in this (byte) order, `key\nvalue\n`.
 * Notification: Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type.
 * Subscription and unsubscribe confirmations: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html
 */
export function stringToSign(message: Readonly<Record<string, string>>): string {
  const keys =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys
    .filter((key) => message[key] !== undefined)
    .map((key) => `${key}\n${message[key]}\n`)
    .join('');
}

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA, both over the UTF-8 string to sign, base64. */
export function signMessage(
  unsigned: Readonly<Record<string, string>>,
  key: KeyObject,
  version: '1' | '2',
): Record<string, string> {
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(stringToSign(unsigned), 'utf8'), key);
  return { ...unsigned, SignatureVersion: version, Signature: signature.toString('base64') };
}
