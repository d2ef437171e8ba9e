/**
 * The link path without Slack or AWS types: text in, outcome out.
 *
 *     parse command text → channel settings (and the access facts, one query) → check input → decide access →
 *     build key → sign → audit
 *
 * Every issued link and every refusal is written to the audit trail before the reply; when the store is
 * unavailable the user is told that nothing was created.
 */

import { randomBytes } from 'node:crypto';
import { SigningUnavailableError } from '../lib/errors.js';
import { type AccessPolicy, grantName } from './access.js';
import { parseUploadCommand, type Token, type UploadCommand } from './command.js';
import { checkExpiry, type ExpiryBounds, type ExpiryProblem, MIN_EXPIRY_SECONDS } from './durations.js';
import { buildObjectKey, newObjectId, safeFilename } from './keys.js';
import { extensionOf, hasLimits, type UploadLimits } from './limits.js';
import type { ChannelPresence, CommandContext, SignedUpload, Store, UploadSigner } from './ports.js';
import { type EffectiveSettings, effectiveSettings, type GlobalSettings } from './settings.js';

export interface UploadRequest {
  readonly userId: string;
  readonly channelId: string;
  readonly tokens: readonly Token[];
  /** Shown on the partner page: `#channel in Workspace`. */
  readonly channelName?: string;
  readonly teamName?: string;
}

export interface PartnerPageLink {
  readonly id: string;
  readonly url: string;
  readonly expiresAt: Date;
  readonly singleUse: boolean;
}

export interface IssuedLink {
  readonly filename: string;
  readonly bucket: string;
  readonly key: string;
  /** The raw pre-signed PUT URL; absent in a channel with limits, where only the partner page may upload. */
  readonly url: string | undefined;
  /** Headers the raw URL's PUT must carry (signed: encryption with S3_SSE, If-None-Match for `once`), for curl. */
  readonly urlHeaders: Readonly<Record<string, string>>;
  /** `once`: the page closes after one upload, and the raw URL writes its key only if nothing is there yet. */
  readonly singleUse: boolean;
  readonly expiresAt: Date;
  readonly requestedExpiresAt: Date;
  readonly limitedByCredentials: boolean;
  /** The partner page, when PUBLIC_URL is set. */
  readonly partner: PartnerPageLink | undefined;
  /**
   * Where an arrival will be announced: in the channel, by DM to the requester (a DM, or a channel the bot is not
   * in), or unknown (Slack did not say).
   */
  readonly announce: 'channel' | 'dm' | 'unknown' | 'none';
  readonly limits: UploadLimits;
}

export type UploadOutcome =
  | {
      readonly kind: 'help';
      readonly bounds: ExpiryBounds;
      readonly defaultExpirySeconds: number;
      /** Admins also see the admin commands. */
      readonly forAdmin: boolean;
    }
  | {
      readonly kind: 'bad-expiry';
      readonly typed: string;
      readonly bounds: ExpiryBounds;
      readonly reason: ExpiryProblem;
    }
  /** Slips: what was typed cannot be a file name (or is missing one); nothing is created. */
  | Exclude<UploadCommand, { kind: 'help' } | { kind: 'upload' }>
  | { readonly kind: 'bad-filename'; readonly typed: string; readonly reason: 'empty' | 'nothing-left' }
  | { readonly kind: 'refused'; readonly admins: readonly string[]; readonly groupsUnchecked: boolean }
  | { readonly kind: 'type-not-allowed'; readonly filename: string; readonly allowedTypes: readonly string[] }
  | { readonly kind: 'needs-partner-page'; readonly limits: UploadLimits }
  | { readonly kind: 'signing-unavailable' }
  | { readonly kind: 'issued'; readonly link: IssuedLink };

export interface UploadDeps {
  readonly settings: GlobalSettings;
  readonly store: Store;
  readonly access: AccessPolicy;
  readonly signer: UploadSigner;
  readonly now: () => Date;
  readonly newId?: () => string;
  /** The link's id (every link has one; a partner page's address ends with it). */
  readonly newLinkId?: () => string;
  /** Set (from PUBLIC_URL) → every link also gets a revocable partner page. */
  readonly partnerPages?: { readonly publicUrl: string; readonly newLinkId?: () => string };
  readonly onSigningUnavailable?: (error: SigningUnavailableError) => void;
  /** Whether uploads through a raw URL are found (S3 events or polling); page uploads always are. */
  readonly rawUploadsAnnounced?: boolean;
  /** Whether the bot is in a channel; without it, where arrivals go is "unknown". */
  readonly presence?: ChannelPresence;
}

const boundsOf = (settings: EffectiveSettings): ExpiryBounds => ({
  minSeconds: MIN_EXPIRY_SECONDS,
  maxSeconds: settings.maxExpirySeconds,
});

/** A request that passed every input check: what to make, and under which channel settings. */
interface ValidRequest {
  /** What the store said about this user in this channel (one query), for the access decision. */
  readonly context: CommandContext;
  readonly filename: string;
  readonly expiresIn: number;
  readonly singleUse: boolean;
  readonly settings: EffectiveSettings;
  readonly limits: UploadLimits;
}

/** The command text against the channel's settings: a valid request, or the outcome that says what is wrong. */
async function checkRequest(deps: UploadDeps, request: UploadRequest): Promise<ValidRequest | UploadOutcome> {
  const command = parseUploadCommand(request.tokens);
  if (command.kind !== 'help' && command.kind !== 'upload') return command;
  // Settings, stored admin and entries in one query: the access decision below needs the other two.
  const context = await deps.store.context(request.userId, request.channelId);
  const stored = context.settings;
  const settings = effectiveSettings(deps.settings, request.channelId, stored);
  const limits: UploadLimits = { maxSizeBytes: stored?.maxSizeBytes, allowedTypes: stored?.allowedTypes };
  const bounds = boundsOf(settings);
  if (command.kind === 'help') {
    const forAdmin = await deps.access.isAdmin(request.userId, context);
    return { kind: 'help', bounds, defaultExpirySeconds: settings.defaultExpirySeconds, forAdmin };
  }
  let expiresIn = settings.defaultExpirySeconds;
  if (command.expiry !== undefined) {
    const check = checkExpiry(command.expiry, bounds);
    if (!check.ok) return { kind: 'bad-expiry', typed: command.expiry, bounds, reason: check.reason };
    expiresIn = check.seconds;
  }
  const safe = safeFilename(command.filename);
  if (!safe.ok) return { kind: 'bad-filename', typed: command.filename, reason: safe.reason };
  if (limits.allowedTypes !== undefined && !limits.allowedTypes.includes(extensionOf(safe.name) ?? '')) {
    return { kind: 'type-not-allowed', filename: safe.name, allowedTypes: limits.allowedTypes };
  }
  // A PUT URL cannot limit size or type; in a channel with limits only the partner page may upload.
  if (hasLimits(limits) && deps.partnerPages === undefined) return { kind: 'needs-partner-page', limits };
  return { context, filename: safe.name, expiresIn, singleUse: command.singleUse, settings, limits };
}

/**
 * The link path: input checked first (so a typo is not answered with "ask an admin"), then access, then the link.
 * Every issued link and every refusal is audited before the reply. Throws StoreUnavailableError.
 */
export async function handleUploadCommand(deps: UploadDeps, request: UploadRequest): Promise<UploadOutcome> {
  const valid = await checkRequest(deps, request);
  if ('kind' in valid) return valid;
  const decision = await deps.access.decide(request.userId, request.channelId, valid.context);
  if (!decision.allowed) {
    const detail = { filename: valid.filename, ...(decision.groupsUnchecked ? { groupsUnchecked: true } : {}) };
    await deps.store.audit.record(
      { actor: request.userId, action: 'link.refused', channelId: request.channelId, detail },
      deps.now(),
    );
    return { kind: 'refused', admins: decision.admins, groupsUnchecked: decision.groupsUnchecked };
  }
  return issue(deps, request, valid, grantName(decision.grant));
}

async function issue(deps: UploadDeps, request: UploadRequest, valid: ValidRequest, grant: string) {
  const { filename, expiresIn, limits } = valid;
  const now = deps.now();
  const key = buildObjectKey({ prefix: valid.settings.prefix, date: now, id: (deps.newId ?? newObjectId)(), filename });
  const requestedExpiresAt = new Date(now.getTime() + expiresIn * 1000);
  let signed: SignedUpload | undefined;
  if (!hasLimits(limits)) {
    try {
      signed = await deps.signer.signUpload(key, expiresIn, now, { onlyIfAbsent: valid.singleUse });
    } catch (error) {
      if (!(error instanceof SigningUnavailableError)) throw error;
      deps.onSigningUnavailable?.(error);
      return { kind: 'signing-unavailable' } as const;
    }
  }
  const base = {
    // A raw URL alone is announced only when the bot finds such uploads (S3 events or polling).
    announce:
      deps.partnerPages === undefined && deps.rawUploadsAnnounced !== true
        ? ('none' as const)
        : await announcePlace(deps, request.channelId),
    filename,
    bucket: deps.signer.bucket,
    key,
    url: signed?.url,
    urlHeaders: signed?.headers ?? {},
    singleUse: valid.singleUse,
    expiresAt: signed?.expiresAt ?? requestedExpiresAt,
    requestedExpiresAt,
    limitedByCredentials: signed?.limitedByCredentials ?? false,
    limits,
  };

  // Every link is a row, written (with its audit event) before the reply: if this fails the URL is never shown,
  // so nothing was created. A partner page signs at upload time, so it lives as long as asked, whatever the
  // credentials' own expiry; a raw URL dies with them.
  const id = (deps.partnerPages?.newLinkId ?? deps.newLinkId ?? newLinkId)();
  const page = deps.partnerPages !== undefined;
  await deps.store.links.create(
    {
      id,
      channelId: request.channelId,
      channelName: request.channelName ?? request.channelId,
      teamName: request.teamName ?? 'Slack',
      requester: request.userId,
      filename,
      key,
      createdAt: now,
      expiresAt: page ? requestedExpiresAt : base.expiresAt,
      urlExpiresAt: signed === undefined ? undefined : base.expiresAt,
      singleUse: valid.singleUse,
      page,
      maxSizeBytes: limits.maxSizeBytes,
      allowedTypes: limits.allowedTypes,
      grant,
    },
    now,
  );
  if (deps.partnerPages === undefined) return { kind: 'issued', link: { ...base, partner: undefined } } as const;
  const partner = {
    id,
    url: `${deps.partnerPages.publicUrl}/u/${id}`,
    expiresAt: requestedExpiresAt,
    singleUse: valid.singleUse,
  };
  return { kind: 'issued', link: { ...base, partner } } as const;
}

/** Direct messages never hear in place (the bot is in no DM but its own); channels, as Slack says. */
async function announcePlace(deps: UploadDeps, channelId: string): Promise<IssuedLink['announce']> {
  if (channelId.startsWith('D')) return 'dm';
  const member = await deps.presence?.isMember(channelId);
  return member === undefined ? 'unknown' : member ? 'channel' : 'dm';
}

/** 128 random bits, URL-safe: the partner page's id is its only secret. */
export const newLinkId = (): string => randomBytes(16).toString('base64url');
