/**
 * The few HTTP chores the harness's own OAuth pages and endpoints share (sign-in pages, the
 * Google-style token endpoint): reading a form body, answering JSON or HTML, escaping for HTML.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest form body accepted; the harness's forms and assertions are a few kilobytes. */
const MAX_FORM_BYTES = 64 * 1024;

/**
 * Reads an `application/x-www-form-urlencoded` request body.
 * @throws Error when the body is larger than 64 KiB.
 */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error(`form body over ${MAX_FORM_BYTES} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Answers with a JSON body; OAuth responses must not be cached (RFC 6749 section 5.1). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

/** Answers with an HTML page. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** Escapes text for an HTML element or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
