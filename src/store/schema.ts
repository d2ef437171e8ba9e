/** The tables, as Kysely sees them. Times are ISO-8601 UTC text in both SQLite and PostgreSQL. */
import type { Generated } from 'kysely';

export type SubjectType = 'user' | 'usergroup';
/** `scope` of an entry valid in every channel. */
export const EVERYWHERE = '*';

export interface AdminsTable {
  user_id: string;
  added_by: string;
  added_at: string;
}

export interface AccessEntriesTable {
  subject_type: SubjectType;
  subject_id: string;
  /** A channel id, or `*` for every channel. */
  scope: string;
  added_by: string;
  added_at: string;
}

export interface ChannelSettingsTable {
  channel_id: string;
  key_prefix: string | null;
  default_expiry_seconds: number | null;
  max_expiry_seconds: number | null;
  /** bigint: PostgreSQL returns it as a string, so read it through Number(). */
  max_size_bytes: number | string | null;
  /** Comma-separated lowercase extensions. */
  allowed_types: string | null;
  updated_by: string;
  updated_at: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: string;
  /** A Slack user id, or `cli`. */
  actor: string;
  action: string;
  channel_id: string | null;
  /** JSON object with what happened; never a URL. */
  detail: string;
}

/** A partner link: a short, revocable page that signs a fresh upload for its key at upload time. */
export interface LinksTable {
  id: string;
  channel_id: string;
  channel_name: string;
  team_name: string;
  requester: string;
  filename: string;
  object_key: string;
  created_at: string;
  expires_at: string;
  single_use: number;
  /** 1 when the link has a partner page (PUBLIC_URL was set when it was made). */
  page: number;
  /** When the raw pre-signed URL stops working, when one was given out. */
  url_expires_at: string | null;
  max_size_bytes: number | string | null;
  allowed_types: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  /** Last arrival confirmed with HeadObject; its ETag makes a repeated completion a no-op. */
  uploaded_at: string | null;
  uploaded_etag: string | null;
  uploaded_size: number | string | null;
  uploaded_type: string | null;
  uploads: number;
}

/** A multipart upload the partner page started for a link (migration 0004_multipart). */
export interface MultipartUploadsTable {
  upload_id: string;
  link_id: string;
  object_key: string;
  /** What the page declared; the parts must add up to it. */
  size: number | string;
  part_size: number | string;
  part_count: number;
  content_type: string;
  /** open, completing, completed or aborted. */
  state: string;
  created_at: string;
  closed_at: string | null;
}

// --- Arrivals (migration 0005_arrivals) ----------------------------------------------------------------------

/** One distinct object that arrived at a link's key: claimed once, announced once. */
export interface ArrivalsTable {
  link_id: string;
  /** The object's identity: its ETag (lowercase, no quotes) or `seq:<sequencer>`. */
  version: string;
  /** page, event or poll: how the bot learnt of it first. */
  source: string;
  size: number | string;
  content_type: string | null;
  replaced: number;
  after_revoke: number;
  /** pending (to announce), announced, abandoned (gave up after repeated failures). */
  state: string;
  attempts: number;
  /** A pending claim belongs to whoever holds its lease; once it runs out, any instance may announce it. */
  lease_until: string;
  created_at: string;
  announced_at: string | null;
}

/** A raw link's place on the poller's schedule. */
export interface ArrivalPollsTable {
  link_id: string;
  due_at: string;
  interval_seconds: number;
  checks: number;
  done: number;
}

/** A Slack request acted on: its HMAC digest (binds timestamp and body), kept while it could still be replayed. */
export interface SeenSlackRequestsTable {
  digest: string;
  request_ts: number | string;
}

export interface Database {
  arrivals: ArrivalsTable;
  arrival_polls: ArrivalPollsTable;
  seen_slack_requests: SeenSlackRequestsTable;
  links: LinksTable;
  multipart_uploads: MultipartUploadsTable;
  admins: AdminsTable;
  access_entries: AccessEntriesTable;
  channel_settings: ChannelSettingsTable;
  audit_events: AuditEventsTable;
}
