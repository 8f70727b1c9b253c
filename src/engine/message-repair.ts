/**
 * A batch's messages as they go to the destination, repaired where the plan's `problems` policy
 * says (core/repair.ts): 8-bit header text encoded before the APPEND for a destination without
 * UTF8=ACCEPT, and a refused message repaired from its source bytes and sent once more. A repaired
 * copy has other bytes, hence another identity: its intent is recorded with the identity the
 * destination will see, so that a crash before the commit finds the repaired copy, not a stranger.
 */
import { bodyBuffer, type Body } from '../core/body.js';
import { keepable } from '../core/flags.js';
import type { MessageMeta } from '../core/messages.js';
import type { AppendItem } from '../core/ports.js';
import { repairBeforeAppend, repairedIdentity, repairForRetry, type Repaired } from '../core/repair.js';
import type { FolderContext, FolderJob, FolderKey } from './folder-context.js';

/** One message of a batch: its source bytes, what is sent, and the repair it was sent with. */
export interface Outgoing {
  meta: MessageMeta;
  /** The bytes the source gave. */
  source: Body;
  item: AppendItem;
  /** The metadata its intent is recorded with (the repaired copy's identity and size). */
  intent: MessageMeta;
  /** The repair made before sending, if any. */
  before?: Repaired;
}

/**
 * The batch's messages as they are sent: flags the destination folder keeps, and 8-bit header text
 * encoded when the destination does not announce UTF8=ACCEPT (RFC 6855) and the policy says so.
 */
export function outgoing(
  ctx: FolderContext,
  metas: readonly MessageMeta[],
  bodies: ReadonlyMap<number, Body>,
  permitted: string[],
): Outgoing[] {
  const utf8Accept = ctx.dst.capabilities.has('UTF8=ACCEPT');
  return metas.map((meta) => {
    const source = bodies.get(meta.uid)!;
    const before = repairBeforeAppend(source, ctx.repair, { utf8Accept });
    const item = {
      raw: before?.raw ?? source,
      flags: keepable(meta.flags, permitted).kept,
      internalDate: new Date(meta.internalDate),
    };
    const intent = before
      ? { ...meta, identity: repairedIdentity(before.raw), size: before.raw.length }
      : meta;
    return { meta, source, item, intent, ...(before ? { before } : {}) };
  });
}

/**
 * When the policy allows, repairs a refused message from its source bytes (line endings, NUL bytes,
 * header lines, 8-bit header text) and appends it once more.
 * @returns the destination UID (under UIDPLUS) and what was done, or undefined when no repair
 *   applies or the server refused the repaired copy too
 */
export async function retryRepaired(
  ctx: FolderContext,
  key: FolderKey,
  job: FolderJob,
  o: Outgoing,
  serverText: string,
  destUidNext: number,
): Promise<{ uid?: number; how: string } | undefined> {
  const fix = repairForRetry(bodyBuffer(o.source), ctx.repair, o.before?.kinds);
  if (!fix) return undefined;
  const identity = repairedIdentity(fix.raw);
  ctx.state.recordIntent(key, job.destination, destUidNext, [{ ...o.meta, identity, size: fix.raw.length }]);
  const again = await ctx.appender.appendBatch(job.destination, [{ ...o.item, raw: fix.raw }]);
  ctx.state.markStep('repaired-appended');
  const r = again.outcomes[0];
  if (r?.ok) return { uid: r.uid, how: `${fix.how} (server first said: ${serverText})` };
  return undefined;
}
