/**
 * Copies what folder-prepare.ts left to copy in batches (intent -> fetch -> append -> commit),
 * fetching the next batches while the current ones are appended, and records the folder as synced.
 */
import { bodyLength, type Body } from '../core/body.js';
import { makeBatches } from '../core/batches.js';
import type { FolderTotals } from '../core/events.js';
import { keepable } from '../core/flags.js';
import type { MessageMeta } from '../core/messages.js';
import type { Appender, AppendItem, AppendOutcome, BodyReader } from '../core/ports.js';
import { folderRecreated } from '../core/errors.js';
import type { AppendResult } from '../state/checkpoint-store.js';
import { BodyPrefetch } from './body-prefetch.js';
import { windowKey } from './date-window.js';
import { outgoing, retryRepaired, type Outgoing } from './message-repair.js';
import type { CopySlice, FolderContext, FolderJob, FolderKey, PreparedFolder } from './folder-context.js';
import { prepareSlice } from './folder-prepare.js';

/**
 * Copies what prepareFolder (folder-prepare.ts) left to copy and records the folder as synced.
 * @param readsIssued called once every body FETCH of this folder has been sent: from then on the
 *   body reader may be asked to open the next folder (it does so once these FETCHes have ended).
 * @param extra more pipes (body reader and appender) to split a large folder's copy across
 * @returns the folder's totals (its caller reports the folder done)
 */
export async function finishFolder(
  ctx: FolderContext,
  prepared: PreparedFolder,
  readsIssued: () => void = () => {},
  extra: readonly CopyPipe[] = [],
): Promise<FolderTotals> {
  const { job, totals, srcStatus, copy } = prepared;
  if (!copy) {
    readsIssued();
    return totals;
  }
  // A big folder is copied a slice at a time: the next slice is scanned once this one's bodies are
  // read (the reader holds one scan at a time), and only the last lets the lane open the next folder.
  let destUidNext = copy.destStatus.uidNext;
  let extrasOpen = false;
  for (let slice = copy; ;) {
    const last = slice.rest.length === 0;
    const issued = last ? readsIssued : () => {};
    if (slice.metas.length === 0) issued();
    else {
      ctx.reporter.emit({
        type: 'folder-start',
        account: ctx.account,
        folder: job.source,
        destination: job.destination,
        toCopy: slice.metas.length,
        bytes: slice.metas.reduce((s, m) => s + m.size, 0),
        pipes: 1 + extra.length,
      });
      const run = { destUidNext, totals, readsIssued: issued, extra, first: !extrasOpen };
      destUidNext = await copyMessages(ctx, job, slice, run);
      extrasOpen = true;
    }
    if (last || ctx.signal.aborted) break;
    slice = await prepareSlice(ctx, job, slice, totals);
  }
  if (totals.failed === 0 && !ctx.signal.aborted) {
    ctx.state.saveFolder({
      account: ctx.account,
      source_path: job.source,
      dest_path: job.destination,
      uidvalidity: srcStatus.uidValidity,
      uidnext: srcStatus.uidNext,
      messages: srcStatus.messages,
      highestmodseq: srcStatus.highestModseq ?? null,
      dest_uidvalidity: copy.destStatus.uidValidity,
      window: windowKey(ctx.window),
    });
  }
  return totals;
}

/**
 * Batches whose bodies are fetched ahead of the one being appended, and APPEND commands one
 * worker keeps in flight. Two of each hide a round trip to either server behind the other
 * batch's transfer and the destination's commit (30 ms of latency then costs almost nothing).
 */
const FETCH_AHEAD = 2;
const APPENDS_IN_FLIGHT = 2;

/**
 * A body reader and an appender a folder's copy runs on: the lane's own, and for a large folder
 * the extra ones the account's idle lanes would have used (its copy is split across them).
 */
export interface CopyPipe {
  bodies: BodyReader;
  appender: Appender;
}

/** How one slice's copy runs: where it starts from, and on which pipes. */
interface SliceRun {
  /** A lower bound of the destination's UIDNEXT before this slice's first APPEND. */
  destUidNext: number;
  totals: FolderTotals;
  readsIssued: () => void;
  extra: readonly CopyPipe[];
  /** The first slice that copies: the extra pipes open the folder first. */
  first: boolean;
}

/**
 * Copies messages in batches: bodies fetched ahead on a body reader, appends pipelined on an
 * appender, all within the byte budget. With several pipes the batches are dealt out among them
 * (batch i to pipe i mod n), each pipe on its own two connections. Each batch keeps its own
 * intent -> APPEND -> commit; a batch's intent is written before its command with the lowest
 * destination UIDNEXT known then, a bound below every UID the server assigns afterwards on any
 * connection, so a crash with several batches in flight leaves them in doubt and resolvable.
 * @returns the lower bound of the destination's UIDNEXT after this slice
 */
async function copyMessages(
  ctx: FolderContext,
  job: FolderJob,
  slice: CopySlice,
  run: SliceRun,
): Promise<number> {
  const { key, destStatus, permitted } = slice;
  const batches = makeBatches(slice.metas, ctx.limits.batchMessages, ctx.limits.batchBytes);
  const pipes: CopyPipe[] = [{ bodies: ctx.bodies, appender: ctx.appender }, ...run.extra];
  const shared: CopyShare = {
    // Taken before any APPEND of this folder, then raised: a safe lower bound for finding in-doubt copies.
    destUidNext: run.destUidNext,
    dest: { permitted, destUidValidity: destStatus.uidValidity },
    totals: run.totals,
  };
  const streams = pipes.map((pipe, k) => ({
    ctx: k === 0 ? ctx : { ...ctx, bodies: pipe.bodies, appender: pipe.appender },
    batches: batches.filter((_, i) => i % pipes.length === k),
  }));
  const settled = await Promise.allSettled(
    streams.map(async (st, k) => {
      // Only the lane's own reader gates the next folder; an extra reader opens this one first.
      if (k > 0 && run.first) await openOn(st.ctx.bodies, job.source, key.uidvalidity);
      await copyStream(st.ctx, key, job, st.batches, shared, k === 0 ? run.readsIssued : () => {});
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return shared.destUidNext;
}

/** What a folder's streams share: the destination's lower UIDNEXT bound, flags kept, totals. */
interface CopyShare {
  destUidNext: number;
  dest: { permitted: string[]; destUidValidity: number };
  totals: FolderTotals;
  failure?: { err: unknown };
}

/** Opens the folder on an extra body reader, checking it is the one the scan saw. */
async function openOn(bodies: BodyReader, path: string, uidvalidity: number): Promise<void> {
  const status = await bodies.open(path);
  if (status.uidValidity !== uidvalidity) {
    throw folderRecreated('source', path);
  }
}

/** One pipe's batches, in order: fetched ahead, appended two at a time, each committed. */
async function copyStream(
  ctx: FolderContext,
  key: FolderKey,
  job: FolderJob,
  batches: MessageMeta[][],
  shared: CopyShare,
  readsIssued: () => void,
): Promise<void> {
  const prefetch = new BodyPrefetch(ctx, batches, FETCH_AHEAD, readsIssued);
  const appends = new Set<Promise<void>>();
  try {
    for (let i = 0; i < batches.length && !shared.failure; i++) {
      const { bytes, bodies } = await prefetch.next();
      if (ctx.signal.aborted) {
        ctx.budget.release(bytes);
        return;
      }
      const appended = appendBatch(
        ctx,
        key,
        job,
        batches[i]!,
        bodies,
        { ...shared.dest, destUidNext: shared.destUidNext },
        shared.totals,
      )
        .then(
          (uidNext) => {
            shared.destUidNext = Math.max(shared.destUidNext, uidNext);
          },
          (err: unknown) => {
            shared.failure ??= { err };
          },
        )
        .finally(() => {
          ctx.budget.release(bytes);
          appends.delete(appended);
        });
      appends.add(appended);
      if (appends.size >= APPENDS_IN_FLIGHT) await Promise.race(appends);
    }
  } finally {
    // Whatever stops us (done, interrupted, failed): appends in flight end (they never reject),
    // prefetched bytes are given back.
    await Promise.all(appends);
    await prefetch.drain();
  }
  if (shared.failure) throw shared.failure.err;
}

/** One batch: intent, APPEND, commit. Returns the new lower bound of the destination UIDNEXT. */
async function appendBatch(
  ctx: FolderContext,
  key: FolderKey,
  job: FolderJob,
  batch: MessageMeta[],
  bodies: Map<number, Body>,
  dest: { permitted: string[]; destUidNext: number; destUidValidity: number },
  totals: FolderTotals,
): Promise<number> {
  const { permitted, destUidValidity } = dest;
  let { destUidNext } = dest;
  const present = skipExpunged(ctx, key, job, batch, bodies, totals);
  if (present.length === 0) return destUidNext;
  const sent = outgoing(ctx, present, bodies, permitted);
  const items: AppendItem[] = sent.map((o) => o.item);
  if (ctx.rate) {
    await ctx.rate.take(
      present.length,
      sum(items, (it) => bodyLength(it.raw)),
      ctx.signal,
    );
    if (ctx.signal.aborted) return destUidNext;
  }
  ctx.daily?.take(sum(items, (it) => bodyLength(it.raw)));
  ctx.state.recordIntent(
    key,
    job.destination,
    destUidNext,
    sent.map((o) => o.intent),
  );
  const { outcomes, uidValidity } = await ctx.appender.appendBatch(job.destination, items);
  ctx.state.markStep('appended');
  // Every message accepted: the server has read every byte, so the memory can be reused. After a
  // refusal or a failure the bodies are left to the garbage collector instead: the server may have
  // answered before reading the rest of the command, still queued on the socket.
  if (outcomes.every((o) => o.ok)) ctx.bodies.recycle(sent.map((o) => o.source));
  const results: AppendResult[] = [];
  for (const [i, m] of present.entries()) {
    const r = await messageResult(ctx, key, job, sent[i]!, outcomes[i]!, permitted, destUidNext);
    results.push(r);
    countResult(ctx, job, m, r, totals);
    if (r.ok && r.destUid !== undefined) destUidNext = Math.max(destUidNext, r.destUid + 1);
  }
  // Without UIDPLUS the copies are still in the folder as it was selected: record its UIDVALIDITY,
  // so a later recreation of the folder is seen (drift) and the copies are not trusted blindly.
  ctx.state.commitBatch(key, uidValidity ?? destUidValidity, results);
  ctx.committed();
  ctx.reporter.emit({
    type: 'progress',
    account: ctx.account,
    folder: job.source,
    messages: results.filter((r) => r.ok).length,
    bytes: sum(present, (m) => m.size),
  });
  return destUidNext;
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((s, it) => s + of(it), 0);
}

/**
 * Records the messages of a batch expunged on the source since the scan (nothing to copy, and not
 * a loss) as skipped.
 * @returns the others, whose bodies arrived
 */
function skipExpunged(
  ctx: FolderContext,
  key: FolderKey,
  job: FolderJob,
  batch: MessageMeta[],
  bodies: Map<number, Body>,
  totals: FolderTotals,
): MessageMeta[] {
  const gone = batch.filter((m) => !bodies.has(m.uid));
  ctx.state.recordWithoutAppend(
    key,
    job.destination,
    gone.map((m) => ({
      meta: m,
      state: 'skipped' as const,
      reason: 'expunged on the source during the run',
    })),
  );
  totals.skipped += gone.length;
  return gone.length === 0 ? batch : batch.filter((m) => bodies.has(m.uid));
}

/** What became of one message of a batch: appended (repaired before, or not), appended once repaired, or refused. */
async function messageResult(
  ctx: FolderContext,
  key: FolderKey,
  job: FolderJob,
  o: Outgoing,
  outcome: AppendOutcome,
  permitted: string[],
  destUidNext: number,
): Promise<AppendResult> {
  const { meta } = o;
  if (outcome.ok) {
    const droppedFlags = keepable(meta.flags, permitted).dropped;
    const repaired = o.before && `${o.before.how} (the destination does not announce UTF8=ACCEPT)`;
    return { uid: meta.uid, ok: true, destUid: outcome.uid, droppedFlags, ...(repaired ? { repaired } : {}) };
  }
  const repaired = await retryRepaired(ctx, key, job, o, outcome.text, destUidNext);
  if (repaired) return { uid: meta.uid, ok: true, destUid: repaired.uid, repaired: repaired.how };
  return { uid: meta.uid, ok: false, reason: outcome.text };
}

/** Adds one message's result to the folder's totals; a refused message is named. */
function countResult(
  ctx: FolderContext,
  job: FolderJob,
  meta: MessageMeta,
  r: AppendResult,
  totals: FolderTotals,
): void {
  if (r.ok) {
    totals.copied++;
    totals.bytes += meta.size;
    return;
  }
  totals.failed++;
  ctx.reporter.emit({
    type: 'message-failed',
    account: ctx.account,
    folder: job.source,
    uid: meta.uid,
    reason: r.reason,
  });
}
