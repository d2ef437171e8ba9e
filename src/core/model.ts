/**
 * What the bot knows about, as plain values: who may create links where, channel settings, partner links. The
 * store keeps them (src/store/), the core decides with them, the surfaces show them. No Slack, AWS or SQL here.
 */

export type SubjectType = 'user' | 'usergroup';

/** `scope` of an entry valid in every channel. */
export const EVERYWHERE = '*';

/** A person or a user group an access rule names. */
export interface Subject {
  readonly type: SubjectType;
  readonly id: string;
}

export interface AccessEntry extends Subject {
  /** A channel id, or EVERYWHERE. */
  readonly scope: string;
  readonly addedBy: string;
  readonly addedAt: Date;
}

export interface AdminRecord {
  readonly userId: string;
  readonly addedBy: string;
  readonly addedAt: Date;
}

export interface ChannelSettings {
  readonly channelId: string;
  readonly keyPrefix: string | undefined;
  readonly defaultExpirySeconds: number | undefined;
  readonly maxExpirySeconds: number | undefined;
  readonly maxSizeBytes: number | undefined;
  /** Lowercase extensions; undefined → any type. */
  readonly allowedTypes: readonly string[] | undefined;
  readonly updatedBy: string;
  readonly updatedAt: Date;
}

/** A change to channel settings: a value sets, `null` clears back to the default, absent leaves as is. */
export interface ChannelSettingsPatch {
  readonly keyPrefix?: string | null;
  readonly defaultExpirySeconds?: number | null;
  readonly maxExpirySeconds?: number | null;
  readonly maxSizeBytes?: number | null;
  readonly allowedTypes?: readonly string[] | null;
}

export interface ChangeResult {
  /** Subjects whose state changed. */
  readonly changed: readonly Subject[];
  /** Subjects that were already in the asked state. */
  readonly unchanged: readonly Subject[];
}

/**
 * A link: one key a partner may upload to, with a short revocable page (when PUBLIC_URL is set) that signs a
 * fresh upload at upload time, and/or a raw pre-signed URL.
 */
export interface PartnerLink {
  readonly id: string;
  readonly channelId: string;
  readonly channelName: string;
  readonly teamName: string;
  readonly requester: string;
  readonly filename: string;
  readonly key: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly singleUse: boolean;
  /** Has a partner page (`PUBLIC_URL/u/<id>`); links made without PUBLIC_URL only have a raw URL. */
  readonly page: boolean;
  /** When the raw pre-signed URL given out with it stops working (none in channels with limits). */
  readonly urlExpiresAt: Date | undefined;
  readonly maxSizeBytes: number | undefined;
  readonly allowedTypes: readonly string[] | undefined;
  readonly revokedAt: Date | undefined;
  readonly revokedBy: string | undefined;
  readonly uploadedAt: Date | undefined;
  readonly uploadedSize: number | undefined;
  readonly uploadedType: string | undefined;
  readonly uploads: number;
}

export type NewPartnerLink = Omit<
  PartnerLink,
  'revokedAt' | 'revokedBy' | 'uploadedAt' | 'uploadedSize' | 'uploadedType' | 'uploads'
> & {
  /** What let the requester create it, for the audit (see `grantName`). */
  readonly grant: string;
};

/** How the bot learnt of an arrival: the page's completion call, an S3 event, or polling HeadObject. */
export type ArrivalSource = 'page' | 'event' | 'poll';

/**
 * An object seen in S3: confirmed with HeadObject (the page's completion, the poller) or named by an S3 event record.
 * Its identity is the key plus the ETag (quotes and case do not matter), or the record's sequencer when there is
 * no ETag.
 */
export interface Arrival {
  readonly size: number;
  /** HeadObject says; event records do not. */
  readonly contentType?: string;
  readonly etag: string;
  /** An event record's sequencer (hex), used as identity only when there is no ETag. */
  readonly sequencer?: string;
  /** When S3 stored it, when the source says (an event's eventTime); otherwise when the bot learnt of it. */
  readonly landedAt?: Date;
}

export const subjectKey = (s: Subject): string => `${s.type}:${s.id}`;

/** A file that arrived through a link, to announce. */
export interface ArrivalNotice {
  readonly link: PartnerLink;
  readonly size: number;
  readonly contentType: string | undefined;
  /** Another object had already arrived at this key: this one replaced it (a raw URL used again). */
  readonly replaced: boolean;
  /** It landed after the link was revoked (an upload started before, or the raw URL, which S3 alone controls). */
  readonly afterRevoke: boolean;
  /** The object's ETag (for a multipart upload: the MD5 of its parts' MD5s, `-` and the part count), when known. */
  readonly etag: string | undefined;
}
