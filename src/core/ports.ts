/**
 * What the core needs from the outside world, as interfaces: the store's repositories (src/store/), the S3 signer
 * (src/aws/) and Slack's user groups (src/slack/groups.ts). The core depends on these, never on their makers.
 */
import type { AuditAction, AuditEvent, AuditQuery, AuditRecord } from './audit.js';
import type {
  AccessEntry,
  AdminRecord,
  ArrivalSource,
  ChangeResult,
  ChannelSettings,
  ChannelSettingsPatch,
  NewPartnerLink,
  PartnerLink,
  Subject,
} from './model.js';
import type { MultipartUpload, NewMultipartUpload } from './multipart.js';

/** Admins added from Slack or the CLI (ADMIN_USER_IDS are configuration, not stored). */
export interface AdminRepository {
  list(): Promise<AdminRecord[]>;
  has(userId: string): Promise<boolean>;
  /** False when they already were one. Audited in the same transaction. */
  add(userId: string, actor: string, at: Date): Promise<boolean>;
  /** False when they were not one. Audited in the same transaction. */
  remove(userId: string, actor: string, at: Date): Promise<boolean>;
}

/** Allowlist entries: a person or group, in a channel or everywhere. */
export interface EntryRepository {
  /** Entries that apply in `channelId`: its own and the "everywhere" ones. */
  forChannel(channelId: string): Promise<AccessEntry[]>;
  list(): Promise<AccessEntry[]>;
  allow(subjects: readonly Subject[], scope: string, actor: string, at: Date): Promise<ChangeResult>;
  disallow(subjects: readonly Subject[], scope: string, actor: string, at: Date): Promise<ChangeResult>;
}

export interface ChannelSettingsRepository {
  get(channelId: string): Promise<ChannelSettings | undefined>;
  list(): Promise<ChannelSettings[]>;
  update(channelId: string, patch: ChannelSettingsPatch, actor: string, at: Date): Promise<ChannelSettings>;
}

export interface AuditRepository {
  record(event: AuditEvent, at: Date): Promise<void>;
  /** Newest first; only events of `query.action` when it is given. */
  list<A extends AuditAction = AuditAction>(
    query: AuditQuery & { readonly action?: A },
  ): Promise<Extract<AuditRecord, { action: A }>[]>;
}

export type RevokeResult = 'revoked' | 'already-closed' | 'missing';

export interface LinkQuery {
  readonly channelId?: string;
  readonly requester?: string;
  /** At most this many, newest first. */
  readonly limit: number;
}

export interface LinkRepository {
  /** Newest first. */
  list(query: LinkQuery): Promise<PartnerLink[]>;
  /** How many links match (for "… and N more"). */
  count(query: Omit<LinkQuery, 'limit'>): Promise<number>;
  /** Store a partner link and its `link.issued` audit event together. */
  create(link: NewPartnerLink, at: Date): Promise<void>;
  get(id: string): Promise<PartnerLink | undefined>;
  revoke(id: string, actor: string, at: Date): Promise<RevokeResult>;
}

// --- Arrivals (src/store/arrivals.ts, src/store/polls.ts) --------------------------------------------------------

/** An arrival as a source reports it, identified by `version` (see core/arrivals.ts `objectVersion`). */
export interface NewArrival {
  readonly version: string;
  readonly size: number;
  readonly contentType: string | undefined;
  readonly source: ArrivalSource;
  readonly landedAt: Date;
}

/** An arrival claimed in the store: the right, and the duty, to announce it. */
export interface ArrivalClaim {
  /** The link as it stands with this arrival recorded. */
  readonly link: PartnerLink;
  readonly version: string;
  readonly source: ArrivalSource;
  readonly size: number;
  readonly contentType: string | undefined;
  readonly replaced: boolean;
  readonly afterRevoke: boolean;
  /** Announcements tried before this one. */
  readonly attempts: number;
}

export type ClaimOutcome =
  | { readonly kind: 'claimed'; readonly claim: ArrivalClaim }
  | { readonly kind: 'duplicate'; readonly link: PartnerLink }
  /**
   * A single-use link whose object already arrived, told of another version: S3 refused that write (every upload
   * of such a link is signed `If-None-Match: *`), though Ceph RGW notifies it all the same. Nothing is recorded.
   */
  | { readonly kind: 'written-once'; readonly link: PartnerLink }
  | { readonly kind: 'missing' };

export interface ArrivalRepository {
  /** The link whose object key this is (keys are unique per link). */
  linkForKey(key: string): Promise<PartnerLink | undefined>;
  /**
   * Claim an arrival, atomically across every instance on the database: the first caller for (link, version) gets
   * `claimed` (arrival recorded, the link's upload fields updated, `link.uploaded` audited, all in one transaction)
   * and should announce it before `leaseUntil`, after which any instance may; everyone else gets `duplicate`.
   */
  claim(linkId: string, arrival: NewArrival, at: Date, leaseUntil: Date): Promise<ClaimOutcome>;
  markAnnounced(linkId: string, version: string, at: Date): Promise<void>;
  /** After a failed announcement: try again from `retryAt`, or never (`undefined`: given up). */
  postpone(linkId: string, version: string, retryAt: Date | undefined): Promise<void>;
  /**
   * Unannounced claims whose lease ran out (the announcer failed or died), oldest first, each now leased to the
   * caller until `leaseUntil`: two instances asking at once never get the same claim.
   */
  takeDue(now: Date, leaseUntil: Date, limit: number): Promise<ArrivalClaim[]>;
}

/** A raw link on the poller's schedule. */
export interface PollTarget {
  readonly link: PartnerLink;
  readonly dueAt: Date;
  readonly intervalSeconds: number;
  readonly checks: number;
}

export interface PollRepository {
  /** Links with a raw URL that works after `since`, not yet on the schedule. */
  unscheduled(since: Date, limit: number): Promise<PartnerLink[]>;
  /** Put a link on the schedule (no-op when another instance just did). */
  schedule(linkId: string, firstAt: Date, intervalSeconds: number): Promise<void>;
  /** Up to `limit` checks due at `now`, the longest waiting first. */
  due(now: Date, limit: number): Promise<PollTarget[]>;
  /**
   * Take a due check: move it to its next time, or end the schedule (`next` undefined). False when another
   * instance took it first (then it is theirs to make).
   */
  take(target: PollTarget, next: { readonly at: Date; readonly intervalSeconds: number } | undefined): Promise<boolean>;
}

/**
 * The multipart uploads the partner page started, each tied to its link: the routes find an upload only through its
 * link, so a link can touch its own uploads and no other.
 */
export interface UploadRepository {
  create(upload: NewMultipartUpload): Promise<void>;
  /** The upload, when it belongs to this link. */
  get(linkId: string, uploadId: string): Promise<MultipartUpload | undefined>;
  /**
   * open → completing, for one caller only; false when it is not open, or (single-use links) when another upload of
   * the link is completing or completed already.
   */
  claimCompletion(linkId: string, uploadId: string, singleUse: boolean): Promise<boolean>;
  /** completing → open, after a completion that could not go ahead (parts still missing, S3 unreachable). */
  releaseCompletion(uploadId: string): Promise<void>;
  /** → completed or aborted (final); false when it already was final. */
  close(uploadId: string, state: 'completed' | 'aborted', at: Date): Promise<boolean>;
  /** Uploads still open (or stuck completing) whose link is revoked, used or expired at `now`: the sweep's work. */
  openOfClosedLinks(now: Date, limit: number): Promise<MultipartUpload[]>;
}

/** Slack requests already acted on, shared by every instance: replay protection. */
export interface SeenRequestRepository {
  /** True the first time any instance records this digest; false for a repeat. */
  claim(digest: string, timestampSeconds: number): Promise<boolean>;
}

/** A limit on requests: `points` per `windowSeconds`, counted per key under `name`. */
export interface RateRule {
  readonly name: string;
  readonly points: number;
  readonly windowSeconds: number;
}

/** Counters shared by every instance (kept in the store's database). */
export interface RateLimiter {
  /** Count one request for `key`; false when it is over the rule's limit in the current window. */
  take(key: string): Promise<boolean>;
}

/** What a slash command needs to know from the store, read together (one query). */
export interface CommandContext {
  /** The channel's stored settings, if any. */
  readonly settings: ChannelSettings | undefined;
  /** The user is an admin added from Slack or the CLI. */
  readonly storedAdmin: boolean;
  /** The allowlist entries for the channel and the "everywhere" ones. */
  readonly entries: AccessEntry[];
}

/** One database, one repository per kind of thing. Every method throws StoreUnavailableError when it fails. */
export interface Store {
  /** `settings.get`, `admins.has` and `entries.forChannel` for one command, in one query. */
  context(userId: string, channelId: string): Promise<CommandContext>;
  readonly admins: AdminRepository;
  readonly entries: EntryRepository;
  readonly settings: ChannelSettingsRepository;
  readonly audit: AuditRepository;
  readonly links: LinkRepository;
  readonly uploads: UploadRepository;
  readonly arrivals: ArrivalRepository;
  readonly polls: PollRepository;
}

export interface SignedUpload {
  readonly url: string;
  /** Headers the uploader must send with the PUT, exactly so (they are signed): encryption, when S3_SSE is set. */
  readonly headers: Readonly<Record<string, string>>;
  /** When the URL stops working: the earlier of the asked expiry and the credentials' own expiry. */
  readonly expiresAt: Date;
  readonly requestedExpiresAt: Date;
  /** Set when the credentials expire before the asked expiry (STS, role, SSO, instance profile). */
  readonly limitedByCredentials: boolean;
}

/** Signs raw PUT URLs; throws SigningUnavailableError without usable credentials. */
export interface UploadSigner {
  readonly bucket: string;
  /** Resolve credentials ahead of the first request, so a slow credential chain never lands on a user. */
  warmUp(): Promise<void>;
  /** `onlyIfAbsent`: the URL carries a signed `If-None-Match: *`, so S3 writes the key once (single-use links). */
  signUpload(
    key: string,
    expiresInSeconds: number,
    now: Date,
    options?: { readonly onlyIfAbsent?: boolean },
  ): Promise<SignedUpload>;
}

/** Whether the bot can post in a channel (to announce arrivals there): true, false, or undefined when unknown. */
export interface ChannelPresence {
  isMember(channelId: string): Promise<boolean | undefined>;
}

/** Slack user group membership. */
export interface GroupDirectory {
  /** Member user ids; throws GroupLookupError when Slack cannot answer. */
  members(groupId: string): Promise<ReadonlySet<string>>;
}
