/**
 * The App Home's listeners: opening the tab, its buttons, and the settings modal. Each only acks, checks that the
 * actor is an admin (now, not when the view was built), builds a typed request for the same `executeAdminRequest`
 * the slash command uses, and publishes the actor's view again with what happened at the top.
 * https://docs.slack.dev/surfaces/app-home
 */
import type { App, BlockAction, ButtonAction, Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeAdminOutcome } from '../../../core/admin/describe.js';
import { type AdminDeps, executeAdminRequest } from '../../../core/admin/execute.js';
import type { AdminRequest } from '../../../core/admin/parse.js';
import { EVERYWHERE } from '../../../core/model.js';
import { isStoreUnavailable } from '../../../lib/errors.js';
import { EVERYWHERE_OPTION, HOME_ACTIONS, HOME_INPUTS } from '../../ids.js';
import { toMrkdwn } from '../../mrkdwn.js';
import { adminMessages } from '../../views/admin-reply.js';
import { parseEntryValue, slackIds } from '../../views/values.js';
import { publishHomeView } from './data.js';
import { homeMessages, type StateValues, stateOf } from './messages.js';

export { homeMessages };

import { registerSettingsModal } from './settings.js';

export interface HomeDeps {
  readonly admin: AdminDeps;
  readonly logger: Logger;
}

/** A button's request, or the feedback that explains why there is none. */
type Asked = AdminRequest | string;

function allowRequest(values: StateValues | undefined): Asked {
  const users = slackIds(stateOf(values, HOME_INPUTS.allowUsers)?.selected_users);
  const groups = slackIds([stateOf(values, HOME_INPUTS.allowGroup)?.selected_option?.value]);
  const channels = slackIds([stateOf(values, HOME_INPUTS.allowChannel)?.selected_conversation]);
  const everywhere = (stateOf(values, HOME_INPUTS.allowEverywhere)?.selected_options ?? []).some(
    (o) => o.value === EVERYWHERE_OPTION,
  );
  if (users.length + groups.length === 0) return homeMessages.pickSubjects;
  const [channel] = channels;
  if (channel === undefined && !everywhere) return homeMessages.pickTarget;
  if (channel !== undefined && everywhere) return homeMessages.pickOneTarget;
  return {
    command: 'allow',
    subjects: [
      ...users.map((id) => ({ type: 'user', id }) as const),
      ...groups.map((id) => ({ type: 'usergroup', id }) as const),
    ],
    scope: channel === undefined ? { kind: 'everywhere' } : { kind: 'channel', id: channel },
  };
}

function removeEntryRequest(value: string | undefined): Asked {
  const entry = parseEntryValue(value);
  if (entry === undefined) return homeMessages.badButton;
  return {
    command: 'disallow',
    subjects: [{ type: entry.type, id: entry.id }],
    scope: entry.scope === EVERYWHERE ? { kind: 'everywhere' } : { kind: 'channel', id: entry.scope },
  };
}

function addAdminRequest(values: StateValues | undefined): Asked {
  const users = slackIds(stateOf(values, HOME_INPUTS.adminUsers)?.selected_users);
  return users.length === 0 ? homeMessages.pickAdmins : { command: 'admins', change: 'add', users };
}

function removeAdminRequest(value: string | undefined): Asked {
  const [user] = slackIds([value]);
  return user === undefined ? homeMessages.badButton : { command: 'admins', change: 'remove', users: [user] };
}

export function registerHome(app: App, { admin, logger }: HomeDeps): void {
  const failed = (what: string) => (error: unknown) => logger.error(`Home ${what} failed:`, error);

  const publishHome = (client: WebClient, userId: string, feedback: readonly string[] = []) =>
    publishHomeView(admin, client, logger, userId, feedback);

  /** A change from the Home tab: only for admins, then the actor's view is published again with what happened. */
  async function change(client: WebClient, actor: string, what: string, asked: Asked): Promise<void> {
    let feedback: readonly string[];
    try {
      if (!(await admin.access.isAdmin(actor))) {
        logger.info(`home change refused user=${actor} action=${what} (not an admin)`);
        feedback = [adminMessages.notAdmin(await admin.access.admins())];
      } else if (typeof asked === 'string') {
        feedback = [asked];
      } else {
        logger.info(`home change user=${actor} command=${asked.command}`);
        feedback = describeAdminOutcome(await executeAdminRequest(admin, actor, asked)).map(toMrkdwn);
      }
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      logger.error(`Access store unavailable: ${error.message}`);
      feedback = [adminMessages.storeUnavailable];
    }
    await publishHome(client, actor, feedback);
  }

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab === 'messages') return;
    await publishHome(client, event.user).catch(failed('view'));
  });

  const buttons: [string, string, (body: BlockAction<ButtonAction>) => Asked][] = [
    [HOME_ACTIONS.allow, 'allow', (body) => allowRequest(body.view?.state.values)],
    [HOME_ACTIONS.removeEntry, 'remove-entry', (body) => removeEntryRequest(body.actions[0]?.value)],
    [HOME_ACTIONS.addAdmin, 'add-admin', (body) => addAdminRequest(body.view?.state.values)],
    [HOME_ACTIONS.removeAdmin, 'remove-admin', (body) => removeAdminRequest(body.actions[0]?.value)],
  ];
  for (const [actionId, what, request] of buttons) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, client }) => {
      await ack();
      await change(client, body.user.id, what, request(body)).catch(failed(what.replace('-', ' ')));
    });
  }

  registerSettingsModal(app, { admin, logger, publishHome, failed });
}
