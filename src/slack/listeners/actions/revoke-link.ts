/** The Revoke button on a reply that carries a partner page link. */
import type { App, BlockAction, ButtonAction, Logger } from '@slack/bolt';
import type { AccessPolicy } from '../../../core/access.js';
import { revokePartnerLink } from '../../../core/links.js';
import type { Store } from '../../../core/ports.js';
import { isStoreUnavailable } from '../../../lib/errors.js';
import { REVOKE_LINK_ACTION } from '../../ids.js';
import { renderRevoke } from '../../views/admin-reply.js';
import { messages } from '../../views/reply.js';

export interface RevokeDeps {
  readonly store: Store;
  readonly access: AccessPolicy;
  readonly logger: Logger;
  readonly now: () => Date;
}

export function registerRevokeButton(app: App, deps: RevokeDeps): void {
  app.action<BlockAction<ButtonAction>>(REVOKE_LINK_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    let text: string;
    try {
      text = renderRevoke(await revokePartnerLink(deps, body.user.id, action.value ?? '')).text;
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      deps.logger.error(`Access store unavailable: ${error.message}`);
      text = messages.storeUnavailable();
    }
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  });
}
