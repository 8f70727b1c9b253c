/**
 * A message's raw bytes as they travel from the source's FETCH to the destination's APPEND: one
 * buffer, or the pieces of a pooled body (imap/body-pool.ts), written out as they are.
 */

/** A message's bytes in order: one buffer, or several pieces. */
export type Body = Buffer | readonly Buffer[];

/** The pieces of a body, in order. */
export function bodyChunks(body: Body): readonly Buffer[] {
  return Buffer.isBuffer(body) ? [body] : body;
}

/** The size of a body in bytes. */
export function bodyLength(body: Body): number {
  if (Buffer.isBuffer(body)) return body.length;
  let n = 0;
  for (const c of body) n += c.length;
  return n;
}

/** A body as one contiguous buffer (a copy when it is in pieces: for the rare paths that parse it). */
export function bodyBuffer(body: Body): Buffer {
  if (Buffer.isBuffer(body)) return body;
  return body.length === 1 ? body[0]! : Buffer.concat(body);
}
