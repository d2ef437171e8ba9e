/**
 * Uploading the way a partner with a terminal does: the reply's own `curl --upload-file …` line, copied as Slack
 * shows it and run by a shell in a folder holding the file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The `curl …` line of a reply, read from its preformatted blocks as Slack shows them. */
export function curlLineFromReply(reply: Record<string, unknown> | undefined): string {
  const blocks = (reply?.blocks ?? []) as { elements?: { type: string; elements?: { text?: string }[] }[] }[];
  for (const block of blocks) {
    for (const element of block.elements ?? []) {
      const text = element.elements?.map((e) => e.text ?? '').join('') ?? '';
      if (element.type === 'rich_text_preformatted' && text.startsWith('curl ')) return text;
    }
  }
  throw new Error(`no curl line in reply: ${JSON.stringify(reply)}`);
}

/** Runs `line` with `sh -c` where a file `filename` holds `body`; returns curl's HTTP status (`-w` appended). */
export async function runCurlLine(line: string, filename: string, body: string | Buffer): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'upload-link-curl-'));
  try {
    await writeFile(join(dir, filename), body);
    const { stdout } = await run('sh', ['-c', `${line} --silent --show-error --output /dev/null -w '%{http_code}'`], {
      cwd: dir,
      timeout: 30_000,
    });
    return Number(stdout.trim());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
