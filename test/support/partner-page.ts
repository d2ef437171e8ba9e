/** What the partner page tests share: reading a reply as Slack shows it, and file bytes that do not compress away. */

/** The partner page id from a reply, read from its blocks as Slack shows them. */
export function partnerId(reply: { body: string }): string {
  const match = /https:\/\/upload\.example\.com\/u\/([A-Za-z0-9_-]{22})/.exec(reply.body);
  if (!match?.[1]) throw new Error(`no partner link in ${reply.body}`);
  return match[1];
}

/** The object key the reply promises: the `s3://bucket/key` text of its first block (keys may hold spaces). */
export function promisedKey(reply: { json: Record<string, unknown> | undefined }, bucket: string): string {
  const match = new RegExp(`"s3://${bucket}/([^"]+)"`).exec(JSON.stringify(reply.json));
  if (!match?.[1]) throw new Error(`no s3:// location in ${JSON.stringify(reply.json)}`);
  return match[1];
}

/** Bytes that differ all along (every 4 KiB block), so a part sent in another's place or out of order is caught. */
export function fileBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4096) bytes.writeUInt32BE((i * 2654435761) >>> 0, i);
  return bytes;
}
