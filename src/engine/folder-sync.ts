/**
 * Syncs one source folder into its destination folder: recognise an unchanged folder from
 * STATUS alone, resolve what an interrupted run left in doubt, bring flag changes over, find
 * what is already on the destination, then copy the rest in batches (intent -> fetch -> append
 * -> commit), fetching the next batch while the current one is appended.
 */
import type { AppendItem, AppendOutcome } from '../core/ports.js';
import { bodyBuffer, bodyLength, type Body } from '../core/body.js';
import type { Appender, BodyReader, DestinationStore, SourceStore } from '../core/ports.js';
import type { FolderStatus } from '../core/folders.js';
import type { MessageMeta } from '../core/messages.js';
import type { PlanLimits } from '../plan/schema.js';
import { MailshiftError } from '../core/errors.js';
import type { AppendResult, CheckpointStore, MessageRow } from '../state/checkpoint-store.js';
import { makeBatches } from '../core/batches.js';
import type { ByteBudget } from './byte-budget.js';
import { emptyTotals, type FolderTotals, type Reporter } from '../core/events.js';
import { IdentityPool } from '../core/identity-pool.js';
import type { RateLimit } from './rate-limit.js';
import { repairForRetry, type RepairPolicy } from '../core/repair.js';
import { keepable, sameFlags, storableFlags } from '../core/flags.js';
import { resizedIdentity } from '../core/identity.js';
import { isDone } from '../core/messages.js';

/** One folder to sync. */
export interface FolderJob {
  source: string;
  destination: string;
  /** The source folder's STATUS from the account's LIST-STATUS, saving one round trip. */
  status?: FolderStatus;
}

/** What a folder sync works with: the worker's connections and the run's shared parts. */
export interface FolderContext {
  account: string;
  src: SourceStore;
  /** The source connection that opens, scans and reads bodies, several batches in flight. */
  bodies: BodyReader;
  appender: Appender;
  dst: DestinationStore;
  state: CheckpointStore;
  budget: ByteBudget;
  limits: PlanLimits;
  syncFlags: boolean;
  repair: RepairPolicy;
  /** Largest message the destination accepts (APPENDLIMIT), if it says. */
  appendLimit?: number;
  reporter: Reporter;
  signal: AbortSignal;
  /** The account's optional messages/bytes per second caps. */
  rate?: RateLimit;
  /** Counts a committed batch: progress, after which a failure starts its retries afresh. */
  committed(): void;
}

type Key = { account: string; folder: string; uidvalidity: number };

/** A folder looked at and ready to copy: what prepareFolder found, for finishFolder. */
export interface PreparedFolder {
  job: FolderJob;
  totals: FolderTotals;
  srcStatus: FolderStatus;
  /** Undefined when the folder is unchanged since its last complete sync. */
  copy?: { key: Key; metas: MessageMeta[]; destStatus: FolderStatus; permitted: string[] };
}

/**
 * Everything before the copy: in-doubt rows resolved, flag changes brought over, the source scanned,
 * what the destination already holds recognised. The source side (open, flags, scan) and the
 * destination side (folder created, opened for appending) run at the same time on their own
 * connections: at 30 ms a round trip, each one saved per folder is worth about 15 messages.
 * A worker prepares its next folder while the current one's last batches are appended.
 * @param destinationReady settles when the destination folder exists (the worker creates it meanwhile).
 */
export async function prepareFolder(
  ctx: FolderContext,
  job: FolderJob,
  destinationReady: Promise<void> = Promise.resolve(),
): Promise<PreparedFolder> {
  const totals = emptyTotals();
  // Taken before the scan: mail arriving meanwhile is after this UIDNEXT and found next run.
  const srcStatus = job.status ?? (await ctx.src.status(job.source));
  await destinationReady;
  // A folder listed with its STATUS was found changed by the account's setup; one listed
  // without (no LIST-STATUS) is only known now.
  if (!job.status && folderUnchanged(ctx.state, ctx.account, job, srcStatus))
    return { job, totals, srcStatus };
  const prev = ctx.state.folder(ctx.account, job.source);
  const inDoubt = ctx.state.inDoubt(ctx.account, job.source);
  if (inDoubt.length > 0) await resolveInDoubt(ctx, job, inDoubt);
  const destination = ctx.dst.openForAppend(job.destination);
  destination.catch(() => {}); // awaited below; a failure meanwhile must not kill the process

  const opened = await ctx.bodies.open(job.source);
  const uidvalidity = opened.uidValidity;
  const key: Key = { account: ctx.account, folder: job.source, uidvalidity };
  const rows = ctx.state.folderMessages(ctx.account, job.source).filter((r) => r.uidvalidity === uidvalidity);
  const doneRows = new Map(rows.filter((r) => isDone(r.state)).map((r) => [r.uid, r]));

  const sameValidity = prev !== undefined && prev.uidvalidity === uidvalidity;
  if (ctx.syncFlags && sameValidity && doneRows.size > 0) {
    totals.flagsUpdated = await syncFlags(ctx, key, job, doneRows, prev?.highestmodseq ?? undefined);
  }
  const fromUid = sameValidity ? firstUidToScan(prev.uidnext, rows) : 1;
  const metas = (await ctx.bodies.scan(fromUid)).filter((m) => !doneRows.has(m.uid));
  const { status: destStatus, permanentFlags: permitted } = await destination;
  if (metas.length === 0) return { job, totals, srcStatus, copy: { key, metas, destStatus, permitted } };
  const toAppend = await recognisePresent(ctx, key, job, metas, destStatus, totals);
  const fitting = skipOversize(ctx, key, job, toAppend, totals);
  return { job, totals, srcStatus, copy: { key, metas: fitting, destStatus, permitted } };
}

/**
 * Copies what {@link prepareFolder} left to copy and records the folder as synced.
 * @param readsIssued called once every body FETCH of this folder has been sent: from then on the
 *   body reader may be asked to open the next folder (it does so once these FETCHes have ended).
 * @returns the folder's totals (its caller reports the folder done)
 */
export async function finishFolder(
  ctx: FolderContext,
  prepared: PreparedFolder,
  readsIssued: () => void = () => {},
): Promise<FolderTotals> {
  const { job, totals, srcStatus, copy } = prepared;
  if (!copy) {
    readsIssued();
    return totals;
  }
  if (copy.metas.length === 0) readsIssued();
  else {
    ctx.reporter.emit({
      type: 'folder-start',
      account: ctx.account,
      folder: job.source,
      destination: job.destination,
      toCopy: copy.metas.length,
      bytes: copy.metas.reduce((s, m) => s + m.size, 0),
    });
    await copyMessages(ctx, copy.key, job, copy.metas, copy.destStatus, copy.permitted, totals, readsIssued);
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
      dest_uidvalidity: null,
    });
  }
  return totals;
}

/**
 * Whether a folder needs nothing: its STATUS tuple equals the one recorded after its last complete
 * sync into the same destination folder, and no batch of it is left in doubt by a crash.
 */
export function folderUnchanged(
  state: CheckpointStore,
  account: string,
  job: Pick<FolderJob, 'source' | 'destination'>,
  st: FolderStatus,
): boolean {
  const prev = state.folder(account, job.source);
  if (!prev || prev.dest_path !== job.destination) return false;
  if (state.inDoubt(account, job.source).length > 0) return false;
  if (prev.uidvalidity !== st.uidValidity || prev.uidnext !== st.uidNext || prev.messages !== st.messages)
    return false;
  // Without CONDSTORE a flag change is invisible in STATUS; a run then compares flags in full.
  if (st.highestModseq === undefined) return false;
  return prev.highestmodseq === st.highestModseq;
}

/** Rescan from the last UIDNEXT, or from the lowest message not done yet (failed, skipped). */
function firstUidToScan(uidnext: number, rows: MessageRow[]): number {
  let from = uidnext;
  for (const r of rows) if (!isDone(r.state) && r.uid < from) from = r.uid;
  return from;
}

/**
 * Rows left "appending" by a crash: look at the destination from the UIDNEXT recorded before
 * their APPEND, take what matches by identity as copied, forget the rest (they are copied again).
 */
async function resolveInDoubt(
  ctx: FolderContext,
  job: FolderJob,
  rows: (MessageRow & { dest_uidnext_before: number })[],
): Promise<void> {
  const from = Math.min(...rows.map((r) => r.dest_uidnext_before));
  const opened = await ctx.dst.examine(job.destination);
  const claimed = new Set(ctx.state.destinationClaims(ctx.account, job.destination).map((r) => r.dest_uid));
  const candidates = (await ctx.dst.scan(from)).filter((m) => m.uid >= from && !claimed.has(m.uid));
  const pool = new IdentityPool(candidates);
  const found: { uidvalidity: number; uid: number; destUid: number; destUidValidity: number }[] = [];
  const notFound: { uidvalidity: number; uid: number }[] = [];
  for (const r of rows.sort((a, b) => a.uid - b.uid)) {
    const destUid = pool.take(r.identity);
    if (destUid !== undefined) {
      found.push({
        uidvalidity: r.uidvalidity,
        uid: r.uid,
        destUid,
        destUidValidity: opened.status.uidValidity,
      });
    } else notFound.push({ uidvalidity: r.uidvalidity, uid: r.uid });
  }
  ctx.state.resolveInDoubt({ account: ctx.account, folder: job.source }, found, notFound);
}

/** Brings source flag changes since the last run to the destination copies. */
async function syncFlags(
  ctx: FolderContext,
  key: Key,
  job: FolderJob,
  done: Map<number, MessageRow>,
  changedSince: string | undefined,
): Promise<number> {
  const opened = await ctx.src.examine(job.source);
  if (opened.status.uidValidity !== key.uidvalidity) {
    throw new MailshiftError(
      `source folder "${job.source}" was recreated during the run (UIDVALIDITY changed)`,
      {
        code: 'UIDVALIDITY_CHANGED',
        scope: 'folder',
        hint: 'run again: the folder is then compared afresh and nothing is copied twice',
      },
    );
  }
  const current = await ctx.src.scanFlags(ctx.src.capabilities.has('CONDSTORE') ? changedSince : undefined);
  let updated = 0;
  for (const [uid, flags] of current) {
    const row = done.get(uid);
    if (!row || row.dest_uid === null) continue;
    const recorded = JSON.parse(row.flags) as string[];
    if (sameFlags(recorded, flags)) continue;
    await ctx.dst.setFlags(row.dest_folder ?? job.destination, row.dest_uid, storableFlags(flags));
    ctx.state.updateFlags(key, uid, flags);
    updated++;
  }
  return updated;
}

/**
 * Finds source messages already on the destination (an earlier tool, mail delivered twice, a
 * UIDVALIDITY change) among destination messages no current state row claims, and records them
 * as present. Only lists the destination when it holds messages we do not know.
 * @returns the messages still to append.
 */
async function recognisePresent(
  ctx: FolderContext,
  key: Key,
  job: FolderJob,
  metas: MessageMeta[],
  destStatus: FolderStatus,
  totals: FolderTotals,
): Promise<MessageMeta[]> {
  const claims = ctx.state
    .destinationClaims(ctx.account, job.destination)
    .filter(
      (r) =>
        r.dest_uidvalidity === destStatus.uidValidity &&
        !(r.folder === key.folder && r.uidvalidity !== key.uidvalidity),
    );
  if (destStatus.messages <= claims.length) return metas;
  const claimed = new Set(claims.map((r) => r.dest_uid));
  await ctx.dst.examine(job.destination);
  const pool = new IdentityPool((await ctx.dst.scan(1)).filter((m) => !claimed.has(m.uid)));
  const rest: MessageMeta[] = [];
  const present: Parameters<CheckpointStore['recordWithoutAppend']>[2] = [];
  for (const m of metas) {
    const destUid = pool.take(m.identity);
    if (destUid === undefined) rest.push(m);
    else present.push({ meta: m, state: 'present', destUid, destUidValidity: destStatus.uidValidity });
  }
  ctx.state.recordWithoutAppend(key, job.destination, present);
  totals.present += present.length;
  return rest;
}

/** Messages over the plan's size limit or the destination's APPENDLIMIT are skipped and named. */
function skipOversize(
  ctx: FolderContext,
  key: Key,
  job: FolderJob,
  metas: MessageMeta[],
  totals: FolderTotals,
) {
  const limits = [ctx.limits.maxMessageSize, ctx.appendLimit].filter((n): n is number => n !== undefined);
  if (limits.length === 0) return metas;
  const max = Math.min(...limits);
  const over = metas.filter((m) => m.size > max);
  const reason = (m: MessageMeta) =>
    `message of ${m.size} bytes is over the ${max === ctx.appendLimit ? "destination's APPENDLIMIT" : "plan's limits.maxMessageSize"} of ${max} bytes`;
  ctx.state.recordWithoutAppend(
    key,
    job.destination,
    over.map((m) => ({ meta: m, state: 'skipped' as const, reason: reason(m) })),
  );
  for (const m of over) {
    ctx.reporter.emit({
      type: 'message-skipped',
      account: ctx.account,
      folder: job.source,
      uid: m.uid,
      reason: reason(m),
    });
  }
  totals.skipped += over.length;
  return metas.filter((m) => m.size <= max);
}

/**
 * Batches whose bodies are fetched ahead of the one being appended, and APPEND commands one
 * worker keeps in flight. Two of each hide a round trip to either server behind the other
 * batch's transfer and the destination's commit (30 ms of latency then costs almost nothing).
 */
const FETCH_AHEAD = 2;
const APPENDS_IN_FLIGHT = 2;

/**
 * Copies messages in batches: bodies fetched ahead on the body reader, appends pipelined on the
 * appender, all within the byte budget. Each batch keeps its own intent -> APPEND -> commit; a
 * batch's intent is written before its command, so with two in flight a crash leaves both in
 * doubt, resolved against the destination from the lower UIDNEXT bound both recorded.
 */
async function copyMessages(
  ctx: FolderContext,
  key: Key,
  job: FolderJob,
  metas: MessageMeta[],
  destStatus: FolderStatus,
  permitted: string[],
  totals: FolderTotals,
  readsIssued: () => void,
): Promise<void> {
  // Taken before any APPEND of this folder: a safe lower bound for finding in-doubt copies.
  let destUidNext = destStatus.uidNext;
  const batches = makeBatches(metas, ctx.limits.batchMessages, ctx.limits.batchBytes);
  let sent = 0;
  const fetchBatch = (batch: MessageMeta[]) => {
    const bytes = batch.reduce((s, m) => s + m.size, 0);
    const p = (async () => {
      await ctx.budget.acquire(bytes);
      try {
        const reading = ctx.bodies.fetch(batch.map((m) => m.uid)); // queued on the connection now
        if (++sent === batches.length) readsIssued();
        return { bytes, bodies: await reading };
      } catch (err) {
        ctx.budget.release(bytes);
        throw err;
      }
    })();
    // A prefetch may fail (connection lost) before anyone awaits it: mark it handled so Node
    // does not kill the process; the await below still throws.
    p.catch(() => {});
    return p;
  };
  const fetches: ReturnType<typeof fetchBatch>[] = [];
  let fetched = 0;
  const fetchAhead = () => {
    while (fetched < batches.length && fetches.length < FETCH_AHEAD)
      fetches.push(fetchBatch(batches[fetched++]!));
  };
  const appends = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  try {
    fetchAhead();
    for (let i = 0; i < batches.length && !failure; i++) {
      const { bytes, bodies } = await fetches.shift()!;
      fetchAhead();
      if (ctx.signal.aborted) {
        ctx.budget.release(bytes);
        return;
      }
      const appended = appendBatch(ctx, key, job, batches[i]!, bodies, permitted, destUidNext, totals)
        .then(
          (uidNext) => {
            destUidNext = Math.max(destUidNext, uidNext);
          },
          (err: unknown) => {
            failure ??= { err };
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
    for (const f of fetches) await f.then((r) => ctx.budget.release(r.bytes)).catch(() => {});
  }
  if (failure) throw failure.err;
}

/** One batch: intent, APPEND, commit. Returns the new lower bound of the destination UIDNEXT. */
async function appendBatch(
  ctx: FolderContext,
  key: Key,
  job: FolderJob,
  batch: MessageMeta[],
  bodies: Map<number, Body>,
  permitted: string[],
  destUidNext: number,
  totals: FolderTotals,
): Promise<number> {
  const present = skipExpunged(ctx, key, job, batch, bodies, totals);
  if (present.length === 0) return destUidNext;
  const items: AppendItem[] = present.map((m) => ({
    raw: bodies.get(m.uid)!,
    flags: keepable(m.flags, permitted).kept,
    internalDate: m.internalDate,
  }));
  if (ctx.rate) {
    await ctx.rate.take(
      present.length,
      sum(items, (it) => bodyLength(it.raw)),
      ctx.signal,
    );
    if (ctx.signal.aborted) return destUidNext;
  }
  ctx.state.recordIntent(key, job.destination, destUidNext, present);
  const { outcomes, uidValidity } = await ctx.appender.appendBatch(job.destination, items);
  ctx.state.markStep('appended');
  // Every message accepted: the server has read every byte, so the memory can be reused. After a
  // refusal or a failure the bodies are left to the garbage collector instead: the server may have
  // answered before reading the rest of the command, still queued on the socket.
  if (outcomes.every((o) => o.ok)) ctx.bodies.recycle(items.map((it) => it.raw));
  const results: AppendResult[] = [];
  for (const [i, m] of present.entries()) {
    const r = await messageResult(ctx, key, job, m, items[i]!, outcomes[i]!, permitted, destUidNext);
    results.push(r);
    countResult(ctx, job, m, r, totals);
    if (r.ok && r.destUid !== undefined) destUidNext = Math.max(destUidNext, r.destUid + 1);
  }
  ctx.state.commitBatch(key, uidValidity, results);
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
  key: Key,
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

/** What became of one message of a batch: appended, appended once repaired, or refused. */
async function messageResult(
  ctx: FolderContext,
  key: Key,
  job: FolderJob,
  meta: MessageMeta,
  item: AppendItem,
  outcome: AppendOutcome,
  permitted: string[],
  destUidNext: number,
): Promise<AppendResult> {
  if (outcome.ok) {
    const droppedFlags = keepable(meta.flags, permitted).dropped;
    return { uid: meta.uid, ok: true, destUid: outcome.uid, droppedFlags };
  }
  const repaired = await retryRepaired(ctx, key, job, meta, item, outcome.text, destUidNext);
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

/** When the policy allows, repairs a refused message (line endings, NUL bytes) and appends it once more. */
async function retryRepaired(
  ctx: FolderContext,
  key: Key,
  job: FolderJob,
  meta: MessageMeta,
  item: AppendItem,
  serverText: string,
  destUidNext: number,
): Promise<{ uid?: number; how: string } | undefined> {
  const fix = repairForRetry(bodyBuffer(item.raw), ctx.repair);
  if (!fix) return undefined;
  // The repaired copy has another size, hence another identity: record it as the intent first, so
  // that a crash before the commit finds the repaired copy on the destination, not a stranger.
  const identity = resizedIdentity(meta.identity, fix.raw.length);
  ctx.state.recordIntent(key, job.destination, destUidNext, [{ ...meta, identity, size: fix.raw.length }]);
  const again = await ctx.appender.appendBatch(job.destination, [{ ...item, raw: fix.raw }]);
  ctx.state.markStep('repaired-appended');
  const o = again.outcomes[0];
  if (o?.ok) return { uid: o.uid, how: `${fix.how} (server first said: ${serverText})` };
  return undefined;
}
