/** What a Home-tab button carries in its `value`, and reading it back when it is pressed. */
import { EVERYWHERE, type Subject } from '../../core/model.js';
import { SLACK_ID } from '../../core/slack-ids.js';

export interface EntryRef {
  readonly type: Subject['type'];
  readonly id: string;
  /** A channel id, or EVERYWHERE. */
  readonly scope: string;
}

export const entryValue = (e: EntryRef): string => JSON.stringify({ type: e.type, id: e.id, scope: e.scope });

export function parseEntryValue(value: string | undefined): EntryRef | undefined {
  try {
    const v = JSON.parse(value ?? '') as Partial<EntryRef>;
    if ((v.type !== 'user' && v.type !== 'usergroup') || typeof v.id !== 'string' || typeof v.scope !== 'string') {
      return undefined;
    }
    if (!SLACK_ID.test(v.id) || (v.scope !== EVERYWHERE && !SLACK_ID.test(v.scope))) return undefined;
    return { type: v.type, id: v.id, scope: v.scope };
  } catch {
    return undefined;
  }
}

/** Slack's ids from pickers and buttons, kept only when they look like ids. */
export const slackIds = (list: readonly (string | null | undefined)[] | undefined): string[] =>
  (list ?? []).filter((id): id is string => typeof id === 'string' && SLACK_ID.test(id));
