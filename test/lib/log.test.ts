import { LogLevel } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../src/lib/log.js';

const SIGNATURE = 'f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69788';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE%2F%2Bsession%3D%3D';
const ACCESS_KEY = 'ASIAQWERTYUIOPASDFGH';
const PRESIGNED =
  'https://partner-uploads.s3.eu-west-1.amazonaws.com/uploads/C0ACME/2024-03-05/id/report.pdf' +
  `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${ACCESS_KEY}%2F20240305%2Feu-west-1%2Fs3%2Faws4_request` +
  `&X-Amz-Date=20240305T120000Z&X-Amz-Expires=86400&X-Amz-Security-Token=${SESSION_TOKEN}` +
  `&X-Amz-Signature=${SIGNATURE}&X-Amz-SignedHeaders=host&x-id=PutObject`;

describe('redact', () => {
  it('removes the signature, credential and session token from a pre-signed URL, keeping the rest', () => {
    const out = redact(`issued ${PRESIGNED} to U0ADMIN`);
    expect(out).not.toContain(SIGNATURE);
    expect(out).not.toContain(SESSION_TOKEN);
    expect(out).not.toContain(ACCESS_KEY);
    expect(out).toContain('X-Amz-Signature=[redacted]');
    expect(out).toContain('X-Amz-Security-Token=[redacted]');
    expect(out).toContain('X-Amz-Credential=[redacted]');
    expect(out).toContain('X-Amz-Expires=86400');
    expect(out).toContain('uploads/C0ACME/2024-03-05/id/report.pdf');
    expect(out).toContain('to U0ADMIN');
  });

  it('stops a redaction at the end of the value, wherever the URL sits', () => {
    expect(redact(`{"url":"${PRESIGNED}"}`)).toMatch(/X-Amz-Signature=\[redacted\]&X-Amz-SignedHeaders=host/);
    expect(redact(`<${PRESIGNED}|link>`)).toMatch(
      /X-Amz-Signature=\[redacted\]&X-Amz-SignedHeaders=host&x-id=PutObject\|link>$/,
    );
    expect(redact(`<x?X-Amz-Signature=${SIGNATURE}>`)).toBe('<x?X-Amz-Signature=[redacted]>');
    expect(redact(`X-Amz-Signature=${SIGNATURE} next`)).toBe('X-Amz-Signature=[redacted] next');
    expect(redact(`'x-amz-signature=${SIGNATURE}' next`)).toBe("'x-amz-signature=[redacted]' next");
    expect(redact(`X-Amz-Signature=${SIGNATURE}&amp;X-Amz-SignedHeaders=host`)).toBe(
      'X-Amz-Signature=[redacted]&amp;X-Amz-SignedHeaders=host',
    );
  });

  it.each([
    ['xoxb-1111-2222-AbCdEf', 'xox?-[redacted]'],
    ['xoxp-1111-2222-3333-abcdef', 'xox?-[redacted]'],
    ['xapp-1-A0123-4567-abcdef', 'xapp-[redacted]'],
    ['AKIAIOSFODNN7EXAMPLE', '[aws-key-redacted]'],
    ['ASIAQWERTYUIOPASDFGH', '[aws-key-redacted]'],
  ])('removes %s', (secret, replacement) => {
    const out = redact(`token=${secret} and "${secret}"`);
    expect(out).not.toContain(secret);
    expect(out).toBe(`token=${replacement} and "${replacement}"`);
  });

  it('removes the given secret values wherever they appear', () => {
    const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';
    const awsSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const out = redact(`secret=${signingSecret}; aws=${awsSecret}; again ${signingSecret}`, [signingSecret, awsSecret]);
    expect(out).toBe('secret=[redacted]; aws=[redacted]; again [redacted]');
  });

  it('treats secrets literally, not as patterns', () => {
    expect(redact('a.b*c+d and axbxcd', ['a.b*c+d'])).toBe('[redacted] and axbxcd');
  });

  it('ignores secrets too short to be real (they would shred every line)', () => {
    expect(redact('a bc def', ['', 'a', 'bc', 'def'])).toBe('a bc def');
  });

  it('leaves ordinary lines alone', () => {
    const line = 'upload link for report.pdf in C0ACME by U0ADMIN (s3://partner-uploads/uploads/C0ACME/x)';
    expect(redact(line)).toBe(line);
  });
});

describe('createLogger', () => {
  function collect(level: LogLevel | `${LogLevel}`, secrets?: string[]) {
    const lines: string[] = [];
    const logger = createLogger({ level, write: (line) => lines.push(line), name: 'test', secrets });
    return { logger, lines };
  }

  it('writes one line per entry through the injected write, with time, level and name', () => {
    const { logger, lines } = collect(LogLevel.INFO);
    logger.info('hello', 'world', { n: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z INFO \[test\] hello world \{"n":1\}$/);
  });

  it('respects the level', () => {
    const { logger, lines } = collect('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((line) => line.split(' ')[1])).toEqual(['WARN', 'ERROR']);
  });

  it('debug logs everything; error logs only errors', () => {
    const everything = collect(LogLevel.DEBUG);
    for (const method of ['debug', 'info', 'warn', 'error'] as const) everything.logger[method]('x');
    expect(everything.lines).toHaveLength(4);
    const errorsOnly = collect(LogLevel.ERROR);
    for (const method of ['debug', 'info', 'warn', 'error'] as const) errorsOnly.logger[method]('x');
    expect(errorsOnly.lines).toHaveLength(1);
  });

  it('setLevel, getLevel and setName change what is written', () => {
    const { logger, lines } = collect(LogLevel.ERROR);
    expect(logger.getLevel()).toBe(LogLevel.ERROR);
    logger.info('hidden');
    logger.setLevel(LogLevel.INFO);
    logger.setName('renamed');
    logger.info('shown');
    expect(logger.getLevel()).toBe(LogLevel.INFO);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('INFO [renamed] shown');
  });

  it('redacts every line, including errors, objects and the given secrets', () => {
    const { logger, lines } = collect(LogLevel.DEBUG, ['my-signing-secret']);
    logger.info('signed', PRESIGNED);
    logger.debug({ token: 'xoxb-1111-2222-abc', url: PRESIGNED });
    logger.error(new Error('auth failed for xapp-1-A0123-abc with my-signing-secret'));
    const all = lines.join('\n');
    for (const secret of [SIGNATURE, SESSION_TOKEN, ACCESS_KEY, 'xoxb-1111-2222-abc', 'xapp-1-A0123-abc']) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toContain('my-signing-secret');
    expect(lines[2]).toContain('Error: auth failed for xapp-[redacted] with [redacted]');
  });

  it('logs values JSON cannot represent without throwing', () => {
    const { logger, lines } = collect(LogLevel.INFO);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    logger.info(circular, 10n);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[object Object] 10');
  });
});

describe('redact, percent-encoded', () => {
  it('removes a signature whose "=" arrived encoded, as in a logged query string', () => {
    const line = redact('GET /x?X-Amz-Signature%3Dabc123%2Bdef&y=1');
    expect(line).toBe('GET /x?X-Amz-Signature%3D[redacted]&y=1');
  });
});
