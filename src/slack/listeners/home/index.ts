/**
 * The App Home's listeners: opening the tab, its buttons, and the settings modal. Each only acks, checks that the
 * actor is an admin (now, not when the view was built), builds a typed request for the same `executeAdminRequest`
 * the slash command uses, and publishes the actor's view again with what happened at the top.
 * https://docs.slack.dev/surfaces/app-home
 */
import type { App, BlockAction, ButtonAction, Logger, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeAdminOutcome } from '../../../core/admin/describe.js';
import { type AdminDeps, executeAdminRequest } from '../../../core/admin/execute.js';
import type { AdminRequest } from '../../../core/admin/parse.js';
import { EVERYWHERE } from '../../../core/model.js';
import { settingsProblem } from '../../../core/settings.js';
import { isStoreUnavailable } from '../../../lib/errors.js';
import { EVERYWHERE_OPTION, HOME_ACTIONS, HOME_INPUTS, SETTINGS_MODAL } from '../../ids.js';
import { toMrkdwn } from '../../mrkdwn.js';
import { adminMessages } from '../../views/admin-reply.js';
import { buildUnavailableHomeView } from '../../views/home-member.js';
import {
  buildSettingsModal,
  parseSettingsForm,
  plainError,
  type SettingsForm,
  settingsBlockFor,
} from '../../views/settings-modal.js';
import { parseEntryValue, slackIds } from '../../views/values.js';
import { homeViewFor } from './data.js';

export interface HomeDeps {
  readonly admin: AdminDeps;
  readonly logger: Logger;
}

export const homeMessages = {
  pickSubjects: 'Pick at least one person or a user group, then press Allow. Nothing was changed.',
  pickTarget: 'Pick a channel, or tick Everywhere, then press Allow. Nothing was changed.',
  pickOneTarget: 'Pick a channel or tick Everywhere, not both. Nothing was changed.',
  pickAdmins: 'Pick the people to make admins, then press Add admin. Nothing was changed.',
  badButton: 'That button is out of date; here is the current state. Nothing was changed.',
  settingsNotAdmin: 'Only admins can change channel settings. Nothing was changed.',
  settingsLostChannel: 'This form lost track of its channel. Close it and press Edit settings again.',
} as const;

type StateValues = NonNullable<BlockAction['view']>['state']['values'];

const stateOf = (values: StateValues | undefined, ids: { blockId: string; actionId: string }) =>
  values?.[ids.blockId]?.[ids.actionId];

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

  async function publishHome(client: WebClient, userId: string, feedback: readonly string[] = []): Promise<void> {
    const view = await homeViewFor(admin, client, logger, userId, feedback).catch((error: unknown) => {
      if (!isStoreUnavailable(error)) throw error;
      logger.error(`Access store unavailable: ${error.message}`);
      return buildUnavailableHomeView();
    });
    await client.views.publish({ user_id: userId, view });
  }

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

  app.action<BlockAction<ButtonAction>>(HOME_ACTIONS.editSettings, async ({ ack, body, action, client }) => {
    // The trigger_id is only good for 3 seconds: ack, check, open.
    await ack();
    const actor = body.user.id;
    try {
      const [channelId] = slackIds([action.value]);
      if (!(await admin.access.isAdmin(actor))) {
        logger.info(`home change refused user=${actor} action=edit-settings (not an admin)`);
        await publishHome(client, actor, [adminMessages.notAdmin(await admin.access.admins())]);
        return;
      }
      if (channelId === undefined) {
        await publishHome(client, actor, [homeMessages.badButton]);
        return;
      }
      const stored = await admin.store.settings.get(channelId);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildSettingsModal({ channelId, global: admin.settings, stored }),
      });
    } catch (error) {
      if (!isStoreUnavailable(error)) return failed('edit settings')(error);
      logger.error(`Access store unavailable: ${error.message}`);
      await publishHome(client, actor, [adminMessages.storeUnavailable]).catch(failed('view'));
    }
  });

  app.view<ViewSubmitAction>(SETTINGS_MODAL.callbackId, async ({ ack, body, view, client }) => {
    const actor = body.user.id;
    const fail = (blockId: string, message: string) =>
      ack({ response_action: 'errors', errors: { [blockId]: plainError(message) } });
    const channelId = slackIds([view.private_metadata])[0];
    if (channelId === undefined) return fail(SETTINGS_MODAL.prefix.blockId, homeMessages.settingsLostChannel);
    let feedback: readonly string[];
    try {
      if (!(await admin.access.isAdmin(actor))) {
        logger.info(`home change refused user=${actor} action=settings (not an admin)`);
        return fail(SETTINGS_MODAL.prefix.blockId, homeMessages.settingsNotAdmin);
      }
      const values = view.state.values;
      const form: SettingsForm = {
        prefix: stateOf(values, SETTINGS_MODAL.prefix)?.value ?? '',
        defaultExpiry: stateOf(values, SETTINGS_MODAL.defaultExpiry)?.value ?? '',
        maxExpiry: stateOf(values, SETTINGS_MODAL.maxExpiry)?.value ?? '',
      };
      const stored = await admin.store.settings.get(channelId);
      const parsed = parseSettingsForm(channelId, form, stored);
      if (!parsed.ok) return ack({ response_action: 'errors', errors: parsed.errors });
      const problem = settingsProblem(admin.settings, stored, parsed.patch);
      if (problem !== undefined) return fail(settingsBlockFor(problem.setting), problem.problem);
      const unchanged = Object.keys(parsed.patch).length === 0;
      if (!unchanged) logger.info(`home change user=${actor} command=settings`);
      const outcome = await executeAdminRequest(admin, actor, { command: 'settings', channelId, patch: parsed.patch });
      const lines = describeAdminOutcome(outcome).map(toMrkdwn);
      // Only a concurrent change makes this fail after the check above.
      if (outcome.kind === 'invalid') return fail(SETTINGS_MODAL.maxExpiry.blockId, lines.join(' '));
      feedback = unchanged ? ['Nothing to change.', ...lines] : lines;
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      logger.error(`Access store unavailable: ${error.message}`);
      return fail(SETTINGS_MODAL.prefix.blockId, adminMessages.storeUnavailable);
    }
    await ack();
    await publishHome(client, actor, feedback).catch(failed('view'));
  });
}
