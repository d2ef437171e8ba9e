/**
 * What Slack does to slash command text before it reaches the bot (`should_escape: true` in manifest.yml): `&`, `<`
 * and `>` become entities, a person or group picked from the suggestions becomes `<@U…|name>` or
 * `<!subteam^S…|@name>`, a channel `<#C…|name>`, and anything that looks like a link `<http://…|…>`.
 * https://docs.slack.dev/interactivity/implementing-slash-commands#escaping
 *
 * The console's text goes through this, so the bot reads exactly what it would read from Slack.
 */
import { channelByName, groupByHandle, personByHandle } from './directory.js';

const escapeEntities = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Top-level domains that real file names end in: Slack turns `notes.md` into a link. */
const LINKIFIED_TLDS = ['md', 'zip', 'mov', 'io', 'ai', 'sh', 'com', 'net', 'org', 'dev', 'app'];

const SPECIAL_MENTIONS = new Set(['here', 'channel', 'everyone']);

/**
 * `@name`, `#name`, a URL, or a bare domain, each at the start of a word (so `bob@acme.com` is not a mention).
 * Trailing punctuation is not part of a name, as in Slack.
 */
const CANDIDATE = new RegExp(
  [
    String.raw`(?<=^|[\s(\[{"'“‘])`,
    '(?:',
    '(?<mention>@[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|@[A-Za-z0-9])',
    '|(?<channel>#[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|#[A-Za-z0-9])',
    String.raw`|(?<url>https?:\/\/[^\s<>"]+[^\s<>".,;:!?'")\]])`,
    String.raw`|(?<domain>[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.(?:${LINKIFIED_TLDS.join('|')}))(?=$|[\s)\]}"'”’,;:!?])`,
    ')',
  ].join(''),
  'g',
);

function entityFor(groups: Record<string, string | undefined>): string | undefined {
  if (groups.mention !== undefined) {
    const name = groups.mention.slice(1);
    if (SPECIAL_MENTIONS.has(name.toLowerCase())) return `<!${name.toLowerCase()}>`;
    const person = personByHandle(name);
    if (person !== undefined) return `<@${person.id}|${person.handle}>`;
    const group = groupByHandle(name);
    if (group !== undefined) return `<!subteam^${group.id}|@${group.handle}>`;
    return undefined;
  }
  if (groups.channel !== undefined) {
    const channel = channelByName(groups.channel.slice(1));
    return channel === undefined ? undefined : `<#${channel.id}|${channel.name}>`;
  }
  if (groups.url !== undefined) return `<${escapeEntities(groups.url)}>`;
  if (groups.domain !== undefined) return `<http://${escapeEntities(groups.domain)}|${escapeEntities(groups.domain)}>`;
  return undefined;
}

/** The command text as Slack would send it to the bot. Unknown `@names` and `#names` stay plain text, as in Slack. */
export function escapeCommandText(typed: string): string {
  let out = '';
  let last = 0;
  for (const match of typed.matchAll(CANDIDATE)) {
    const entity = entityFor(match.groups ?? {});
    if (entity === undefined) continue;
    out += escapeEntities(typed.slice(last, match.index)) + entity;
    last = match.index + match[0].length;
  }
  return out + escapeEntities(typed.slice(last));
}
