/**
 * The playground's pretend workspace: who can be played, the channels, and one user group. Ids look like Slack's
 * (upper-case letters and digits, U… C… D… S…) because the bot checks their shape.
 */

export const TEAM = { id: 'T0PLAYGROUND', domain: 'playground', name: 'Playground' } as const;
export const APP_ID = 'A0UPLOADLINK';
/** The bot user, as the stand-in's auth.test reports it. */
export const BOT = { userId: 'U0PGBOT', botId: 'B0PGBOT', name: 'upload-link' } as const;

export type Role = 'admin' | 'allowed' | 'stranger' | 'group-member';

export interface Person {
  readonly id: string;
  /** What `@` completes to, as in Slack. */
  readonly handle: string;
  readonly name: string;
  readonly role: Role;
  /** In words, for the console's picker. */
  readonly description: string;
}

export interface Channel {
  readonly id: string;
  readonly name: string;
  readonly kind: 'channel' | 'dm';
  /** Whether the bot was added to it: when not, arrival notices go to the requester's DM instead. */
  readonly botIsMember: boolean;
  readonly topic: string;
}

export interface UserGroup {
  readonly id: string;
  readonly handle: string;
  readonly name: string;
  readonly members: readonly string[];
}

export const PEOPLE: readonly Person[] = [
  {
    id: 'U0PGADMIN',
    handle: 'admin',
    name: 'Ada Admin',
    role: 'admin',
    description: 'admin (ADMIN_USER_IDS)',
  },
  {
    id: 'U0PGALICE',
    handle: 'alice',
    name: 'Alice Allowed',
    role: 'allowed',
    description: 'allowed everywhere (ALLOWED_USER_IDS)',
  },
  {
    id: 'U0PGSTRANGER',
    handle: 'stranger',
    name: 'Sam Stranger',
    role: 'stranger',
    description: 'no access until an admin allows them',
  },
  {
    id: 'U0PGGRACE',
    handle: 'grace',
    name: 'Grace Designer',
    role: 'group-member',
    description: 'member of @designers',
  },
];

export const ADMIN_ID = 'U0PGADMIN';
export const ALLOWED_ID = 'U0PGALICE';

export const GROUPS: readonly UserGroup[] = [
  { id: 'S0PGDESIGN', handle: 'designers', name: 'Designers', members: ['U0PGGRACE'] },
];

/** The shared channels; every person also has a direct message with the bot (see dmChannel). */
export const CHANNELS: readonly Channel[] = [
  {
    id: 'C0PGACME',
    name: 'acme',
    kind: 'channel',
    botIsMember: true,
    topic: 'Files from Acme Corp. The bot is a member: arrivals are announced here.',
  },
  {
    id: 'C0PGOTHER',
    name: 'other',
    kind: 'channel',
    botIsMember: false,
    topic: 'The bot was never added here: arrivals go to the requester by direct message.',
  },
];

/** The direct message between a person and the bot (where slash commands say `channel_name=directmessage`). */
export const dmChannel = (person: Person): Channel => ({
  id: `D${person.id.slice(1)}`,
  name: 'directmessage',
  kind: 'dm',
  botIsMember: true,
  topic: `Your direct messages with upload-link.`,
});

export const personById = (id: string): Person | undefined => PEOPLE.find((p) => p.id === id);
export const personByHandle = (handle: string): Person | undefined =>
  PEOPLE.find((p) => p.handle.toLowerCase() === handle.toLowerCase());

/** A shared channel or someone's DM with the bot. */
export function channelById(id: string): Channel | undefined {
  const shared = CHANNELS.find((c) => c.id === id);
  if (shared !== undefined) return shared;
  const owner = PEOPLE.find((p) => dmChannel(p).id === id);
  return owner === undefined ? undefined : dmChannel(owner);
}

export const channelByName = (name: string): Channel | undefined =>
  CHANNELS.find((c) => c.name.toLowerCase() === name.toLowerCase());
export const groupByHandle = (handle: string): UserGroup | undefined =>
  GROUPS.find((g) => g.handle.toLowerCase() === handle.toLowerCase());
export const groupById = (id: string): UserGroup | undefined => GROUPS.find((g) => g.id === id);
