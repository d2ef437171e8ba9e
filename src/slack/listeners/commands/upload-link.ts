/**
 * `/upload-link …`: a revoke, an admin command, or a link (help and mistakes included). The one place where an
 * error on the way becomes the reply: the store being down is "temporarily unavailable, nothing was created"
 * (or "… or changed" for admin commands); anything else is logged as a bug and answered plainly.
 */
import type { AllMiddlewareArgs, App, Logger, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { type AdminDeps, runAdminCommand } from '../../../core/admin/execute.js';
import { adminCommandOf } from '../../../core/admin/parse.js';
import { type Piece, type Token, tokenize } from '../../../core/command.js';
import { linkIdFrom, revokePartnerLink } from '../../../core/links.js';
import { handleUploadCommand, type UploadDeps } from '../../../core/upload.js';
import { isStoreUnavailable } from '../../../lib/errors.js';
import { COMMAND } from '../../ids.js';
import { adminMessages, renderAdminOutcome, renderRevoke, revokeMessages } from '../../views/admin-reply.js';
import { ephemeral, type Reply } from '../../views/blocks.js';
import { messages, renderOutcome } from '../../views/reply.js';

export interface CommandDeps {
  readonly upload: UploadDeps;
  readonly admin: AdminDeps;
  readonly logger: Logger;
  readonly now: () => Date;
}

const isRevoke = (tokens: readonly Token[]) => !tokens[0]?.quoted && tokens[0]?.text.toLowerCase() === 'revoke';

/** A pasted page address arrives as a Slack link; the id is in its target. */
const rawPiece = (piece: Piece): string =>
  piece.kind === 'link' ? piece.target : piece.kind === 'text' ? piece.text : '';

type Kind = 'revoke' | 'admin' | 'upload';

async function reply(deps: CommandDeps, command: SlackCommandMiddlewareArgs['command'], tokens: Token[], kind: Kind) {
  if (kind === 'revoke') {
    const id = tokens.length === 2 ? linkIdFrom(tokens[1]?.pieces.map(rawPiece).join('') ?? '') : undefined;
    if (id === undefined) return ephemeral(revokeMessages.usage);
    return renderRevoke(await revokePartnerLink(deps.admin, command.user_id, id));
  }
  if (kind === 'admin') {
    return renderAdminOutcome(await runAdminCommand(deps.admin, command.user_id, tokens, command.channel_id));
  }
  const outcome = await handleUploadCommand(deps.upload, {
    userId: command.user_id,
    channelId: command.channel_id,
    channelName: command.channel_name,
    teamName: command.team_domain,
    tokens,
  });
  if (outcome.kind === 'issued') {
    deps.logger.info(`link issued user=${command.user_id} channel=${command.channel_id} key=${outcome.link.key}`);
  } else if (outcome.kind === 'refused') {
    deps.logger.info(`link refused user=${command.user_id} channel=${command.channel_id}`);
  }
  return renderOutcome(outcome, deps.now());
}

export function registerUploadLinkCommand(app: App, deps: CommandDeps): void {
  app.command(COMMAND, async ({ command, ack }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const tokens = tokenize(command.text);
    const kind: Kind = isRevoke(tokens) ? 'revoke' : adminCommandOf(tokens) !== undefined ? 'admin' : 'upload';
    let answer: Reply;
    try {
      answer = await reply(deps, command, tokens, kind);
    } catch (error) {
      if (isStoreUnavailable(error)) {
        deps.logger.error(`Access store unavailable: ${error.message}`);
        answer = ephemeral(kind === 'admin' ? adminMessages.storeUnavailable : messages.storeUnavailable());
      } else {
        deps.logger.error('Command failed:', error);
        answer = ephemeral(messages.internalError());
      }
    }
    await ack(answer);
  });
}
