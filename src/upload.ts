/**
 * The command path without Slack or AWS types: text in, outcome out.
 *
 *     parse command text → decide access → build key → sign
 */
import type { AccessPolicy } from './access.js';
import { parseUploadCommand, tokenize } from './command.js';
import { checkExpiry, type ExpiryBounds, MIN_EXPIRY_SECONDS } from './duration.js';
import { buildObjectKey, channelPrefix, newObjectId, safeFilename } from './keys.js';
import { SigningUnavailableError, type UploadSigner } from './signer.js';

export interface UploadRequest {
  readonly userId: string;
  readonly channelId: string;
  readonly text: string;
}

export interface IssuedLink {
  readonly filename: string;
  readonly bucket: string;
  readonly key: string;
  readonly url: string;
  readonly expiresAt: Date;
  readonly requestedExpiresAt: Date;
  readonly limitedByCredentials: boolean;
}

export type UploadOutcome =
  | { readonly kind: 'help'; readonly bounds: ExpiryBounds; readonly defaultExpirySeconds: number }
  | { readonly kind: 'bad-expiry'; readonly typed: string; readonly bounds: ExpiryBounds }
  | { readonly kind: 'missing-filename'; readonly expiry: string }
  | { readonly kind: 'bad-filename'; readonly typed: string; readonly reason: 'empty' | 'nothing-left' }
  | { readonly kind: 'refused'; readonly admins: readonly string[] }
  | { readonly kind: 'signing-unavailable' }
  | { readonly kind: 'issued'; readonly link: IssuedLink };

export interface UploadSettings {
  readonly uploadPrefix: string;
  readonly defaultExpirySeconds: number;
  readonly maxExpirySeconds: number;
}

export interface UploadDeps {
  readonly settings: UploadSettings;
  readonly access: AccessPolicy;
  readonly signer: UploadSigner;
  readonly now: () => Date;
  readonly newId?: () => string;
  readonly onSigningUnavailable?: (error: SigningUnavailableError) => void;
}

export async function handleUploadCommand(deps: UploadDeps, request: UploadRequest): Promise<UploadOutcome> {
  const { settings } = deps;
  const bounds: ExpiryBounds = { minSeconds: MIN_EXPIRY_SECONDS, maxSeconds: settings.maxExpirySeconds };
  const command = parseUploadCommand(tokenize(request.text));
  if (command.kind === 'help') {
    return { kind: 'help', bounds, defaultExpirySeconds: settings.defaultExpirySeconds };
  }
  if (command.kind === 'missing-filename') return command;

  // Input problems are reported before access, so a typo is not answered with "ask an admin".
  let expiresIn = settings.defaultExpirySeconds;
  if (command.expiry !== undefined) {
    const check = checkExpiry(command.expiry, bounds);
    if (!check.ok) return { kind: 'bad-expiry', typed: command.expiry, bounds };
    expiresIn = check.seconds;
  }
  const safe = safeFilename(command.filename);
  if (!safe.ok) return { kind: 'bad-filename', typed: command.filename, reason: safe.reason };

  const decision = await deps.access.decide(request.userId, request.channelId);
  if (!decision.allowed) return { kind: 'refused', admins: decision.admins };

  const now = deps.now();
  const key = buildObjectKey({
    prefix: channelPrefix(settings.uploadPrefix, request.channelId),
    date: now,
    id: (deps.newId ?? newObjectId)(),
    filename: safe.name,
  });
  try {
    const signed = await deps.signer.signUpload(key, expiresIn, now);
    return { kind: 'issued', link: { filename: safe.name, bucket: deps.signer.bucket, key, ...signed } };
  } catch (error) {
    if (error instanceof SigningUnavailableError) {
      deps.onSigningUnavailable?.(error);
      return { kind: 'signing-unavailable' };
    }
    throw error;
  }
}
