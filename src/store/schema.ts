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

export interface Database {
  admins: AdminsTable;
  access_entries: AccessEntriesTable;
  channel_settings: ChannelSettingsTable;
  audit_events: AuditEventsTable;
}
