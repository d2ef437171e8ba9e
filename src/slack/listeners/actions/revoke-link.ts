/**
 * The Revoke buttons: on the reply that gave the link out, on a link in `/upload-link links`, and in the Home tab's
 * "Your recent links". Each revokes the same way (src/core/links.ts), then shows the new state where the button
 * was: the reply is replaced (no Revoke button left), the listing is shown again, the Home tab is published again.
 */
import type { App, BlockAction, ButtonAction, Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AccessPolicy } from '../../../core/access.js';
import { listLinks, type RevokeOutcome, revokePartnerLink } from '../../../core/links.js';
import type { Store } from '../../../core/ports.js';
import { isStoreUnavailable } from '../../../lib/errors.js';
import { REVOKE_HOME_LINK_ACTION, REVOKE_LINK_ACTION, REVOKE_LISTED_LINK_ACTION } from '../../ids.js';
import { renderRevoke } from '../../views/admin-reply.js';
import { section } from '../../views/blocks.js';
import { parseListedLinkValue, renderLinks } from '../../views/links.js';
import { messages } from '../../views/reply.js';

export interface RevokeDeps {
  readonly store: Store;
  readonly access: AccessPolicy;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Publish `userId`'s Home tab again with `feedback` at the top. */
  readonly publishHome: (client: WebClient, userId: string, feedback: readonly string[]) => Promise<void>;
}

type Respond = (message: Record<string, unknown>) => Promise<unknown>;

export function registerRevokeButtons(app: App, deps: RevokeDeps): void {
  const { logger } = deps;

  /** Revoke `id` for `actor`; undefined after telling them (`unavailable`) that the store could not be reached. */
  async function revoke(
    actor: string,
    id: string,
    unavailable: (text: string) => Promise<unknown>,
  ): Promise<RevokeOutcome | undefined> {
    try {
      const outcome = await revokePartnerLink(deps, actor, id);
      if (outcome.kind === 'revoked') logger.info(`link revoked user=${actor} link=${id}`);
      return outcome;
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      logger.error(`Access store unavailable: ${error.message}`);
      await unavailable(messages.storeUnavailable());
      return undefined;
    }
  }
  const beside = (respond: Respond) => (text: string) =>
    respond({ response_type: 'ephemeral', replace_original: false, text });

  app.action<BlockAction<ButtonAction>>(REVOKE_LINK_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const outcome = await revoke(body.user.id, action.value ?? '', beside(respond));
    if (outcome === undefined) return;
    const { text } = renderRevoke(outcome);
    // Revoked: the reply that gave the link out says so now, and has no Revoke button left. Otherwise the reply
    // stays as it was and the answer comes beside it.
    if (outcome.kind === 'revoked') {
      await respond({ response_type: 'ephemeral', replace_original: true, text, blocks: [section(text)] });
    } else {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    }
  });

  app.action<BlockAction<ButtonAction>>(REVOKE_LISTED_LINK_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const listed = parseListedLinkValue(action.value);
    if (listed === undefined) return;
    const outcome = await revoke(body.user.id, listed.id, beside(respond));
    if (outcome === undefined) return;
    const feedback = renderRevoke(outcome).text;
    const channelId = listed.scope.kind === 'everywhere' ? (body.channel?.id ?? '') : listed.scope.channelId;
    const target =
      listed.scope.kind === 'mine'
        ? ({ kind: 'none' } as const)
        : listed.scope.kind === 'everywhere'
          ? ({ kind: 'everywhere' } as const)
          : ({ kind: 'channel', id: listed.scope.channelId } as const);
    const listing = renderLinks(await listLinks(deps, body.user.id, channelId, target), feedback);
    await respond({ ...listing, replace_original: true });
  });

  app.action<BlockAction<ButtonAction>>(REVOKE_HOME_LINK_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const home = (text: string) => deps.publishHome(client, body.user.id, [text]);
    const outcome = await revoke(body.user.id, action.value ?? '', home);
    if (outcome === undefined) return;
    await deps.publishHome(client, body.user.id, [renderRevoke(outcome).text]);
  });
}
