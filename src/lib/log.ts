/**
 * The one logger: Bolt's Logger interface, one line per entry, with secrets scrubbed from every line.
 * Never logged: a pre-signed URL's signature or session token, Slack tokens, the signing secret, AWS keys.
 */
import { type Logger, LogLevel } from '@slack/bolt';

const ORDER: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

const PATTERNS: readonly [RegExp, string][] = [
  [
    /(X-Amz-(?:Signature|Security-Token|Credential)(?:=|%3D))[^&\s"'<>%]+(?:%[0-9A-F]{2}[^&\s"'<>%]*)*/gi,
    '$1[redacted]',
  ],
  [/\bxox[a-z]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/\bxapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  // AWS access key ids (AKIA… long-term, ASIA… temporary).
  [/\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g, '[aws-key-redacted]'],
];

/** Remove signatures, tokens and the given secret values from a line. */
export function redact(line: string, secrets: readonly string[] = []): string {
  let out = line;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export interface LoggerOptions {
  readonly level: LogLevel | `${LogLevel}`;
  /** Exact values never to print (signing secret, tokens, AWS secret key). */
  readonly secrets?: readonly string[];
  /** Where lines go; stderr by default. Tests pass a collector. */
  readonly write?: (line: string) => void;
  readonly name?: string;
}

const format = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};

export function createLogger(options: LoggerOptions): Logger {
  let level = options.level as LogLevel;
  let name = options.name ?? 'upload-link';
  const secrets = options.secrets ?? [];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (at: LogLevel, parts: unknown[]) => {
    if (ORDER[at] < ORDER[level]) return;
    write(redact(`${new Date().toISOString()} ${at.toUpperCase()} [${name}] ${parts.map(format).join(' ')}`, secrets));
  };
  return {
    debug: (...parts: unknown[]) => emit(LogLevel.DEBUG, parts),
    info: (...parts: unknown[]) => emit(LogLevel.INFO, parts),
    warn: (...parts: unknown[]) => emit(LogLevel.WARN, parts),
    error: (...parts: unknown[]) => emit(LogLevel.ERROR, parts),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next: string) => {
      name = next;
    },
  };
}
