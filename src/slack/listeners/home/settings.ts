/**
 * The channel settings modal: its Edit button on the Home tab and its submission. Same parsing, validation, audit
 * and words as `/upload-link settings`; a bad value is shown next to its field.
 */
import type { App, BlockAction, ButtonAction, Logger, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeAdminOutcome } from '../../../core/admin/describe.js';
import { type AdminDeps, executeAdminRequest } from '../../../core/admin/execute.js';
import { settingsProblem } from '../../../core/settings.js';
import { isStoreUnavailable } from '../../../lib/errors.js';
import { HOME_ACTIONS, SETTINGS_MODAL } from '../../ids.js';
import { toMrkdwn } from '../../mrkdwn.js';
import { adminMessages } from '../../views/admin-reply.js';
import {
  buildSettingsModal,
  parseSettingsForm,
  plainError,
  type SettingsForm,
  settingsBlockFor,
} from '../../views/settings-modal.js';
import { slackIds } from '../../views/values.js';
import { homeMessages, stateOf } from './messages.js';

export interface SettingsModalDeps {
  readonly admin: AdminDeps;
  readonly logger: Logger;
  readonly publishHome: (client: WebClient, userId: string, feedback?: readonly string[]) => Promise<void>;
  readonly failed: (what: string) => (error: unknown) => void;
}

export function registerSettingsModal(app: App, { admin, logger, publishHome, failed }: SettingsModalDeps): void {
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
        maxSize: stateOf(values, SETTINGS_MODAL.maxSize)?.value ?? '',
        types: stateOf(values, SETTINGS_MODAL.types)?.value ?? '',
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
