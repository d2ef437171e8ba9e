/**
 * `/upload-link …`: a revoke, an admin command, or a link (help and mistakes included). The one place where an
 * error on the way becomes the reply: the store being down is "temporarily unavailable, nothing was created"
 * (or "… or changed" for admin commands); anything else is logged as a bug and answered plainly.
 */
import type { AllMiddlewareArgs, App, Logger, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { type AdminDeps, runAdminCommand } from '../../../core/admin/execute.js';
import { adminCommandOf } from '../../../core/admin/parse.js';
import { type Piece, type Token, tokenize } from '../../../core/command.js';
import { linkRefFrom, listLinks, revokePartnerLink } from '../../../core/links.js';
import { handleUploadCommand, type UploadDeps } from '../../../core/upload.js';
import { isStoreUnavailable } from '../../../lib/errors.js';
import { COMMAND } from '../../ids.js';
import {
  adminMessages,
  renderAdminOutcome,
  renderBadRef,
  renderRevoke,
  revokeMessages,
} from '../../views/admin-reply.js';
import { ephemeral, type Reply } from '../../views/blocks.js';
import { renderLinks } from '../../views/links.js';
import { messages, renderOutcome } from '../../views/reply.js';

export interface CommandDeps {
  readonly upload: UploadDeps;
  readonly admin: AdminDeps;
  readonly logger: Logger;
  readonly now: () => Date;
  /** PUBLIC_URL: a pasted page address must start with it. */
  readonly publicUrl: string | undefined;
}

const firstWord = (tokens: readonly Token[]) => (tokens[0]?.quoted ? undefined : tokens[0]?.text.toLowerCase());

/** A pasted page address arrives as a Slack link; the id is in its target. */
const rawPiece = (piece: Piece): string =>
  piece.kind === 'link' ? piece.target : piece.kind === 'text' ? piece.text : '';

type Kind = 'revoke' | 'links' | 'admin' | 'upload';

function kindOf(tokens: readonly Token[]): Kind {
  const word = firstWord(tokens);
  if (word === 'revoke') return 'revoke';
  if (word === 'links') return 'links';
  return adminCommandOf(tokens) !== undefined ? 'admin' : 'upload';
}

/** What followed `links`: nothing, a channel, `everywhere`, or something it can't be. */
function linksTarget(tokens: readonly Token[]): Parameters<typeof listLinks>[3] {
  if (tokens.length === 1) return { kind: 'none' };
  const [, arg] = tokens;
  const only = arg?.pieces.length === 1 ? arg.pieces[0] : undefined;
  if (tokens.length === 2 && only?.kind === 'channel') return { kind: 'channel', id: only.id };
  if (tokens.length === 2 && !arg?.quoted && arg?.text.toLowerCase() === 'everywhere') return { kind: 'everywhere' };
  return {
    kind: 'other',
    typed: tokens
      .slice(1)
      .map((t) => t.text)
      .join(' '),
  };
}

async function reply(deps: CommandDeps, command: SlackCommandMiddlewareArgs['command'], tokens: Token[], kind: Kind) {
  if (kind === 'revoke') {
    if (tokens.length !== 2) return ephemeral(revokeMessages.usage);
    const typed = tokens[1]?.pieces.map(rawPiece).join('') ?? '';
    const ref = linkRefFrom(typed, deps.publicUrl);
    if (!ref.ok) return renderBadRef(ref.reason, tokens[1]?.text ?? typed);
    const outcome = await revokePartnerLink(deps.admin, command.user_id, ref.id);
    if (outcome.kind === 'revoked') deps.logger.info(`link revoked user=${command.user_id} link=${ref.id}`);
    return renderRevoke(outcome);
  }
  if (kind === 'links') {
    return renderLinks(await listLinks(deps.admin, command.user_id, command.channel_id, linksTarget(tokens)));
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
    const kind = kindOf(tokens);
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
