/**
 * Prepares one source folder for its copy: recognise an unchanged folder from STATUS alone,
 * resolve what an interrupted run left in doubt, bring flag changes over, scan what is new, find
 * what is already on the destination and skip what no server would take. folder-copy.ts copies
 * the rest.
 */
import { folderRecreated } from '../core/errors.js';
import { emptyTotals, type FolderTotals } from '../core/events.js';
import { sameFlags, storableFlags } from '../core/flags.js';
import type { FolderStatus } from '../core/folders.js';
import { IdentityPool } from '../core/identity-pool.js';
import { isDone, type MessageMeta } from '../core/messages.js';
import type { DestinationStore } from '../core/ports.js';
import { uidGaps, uidRanges, type UidRange } from '../core/uid-ranges.js';
import { messagesIn } from '../core/range-scan.js';
import type { CheckpointStore, MessageRow } from '../state/checkpoint-store.js';
import { copyOrder } from './copy-order.js';
import { COPY_SLICE_MESSAGES, copySlices, cutsOf, openToCut, sliceEnd } from './folder-slices.js';
import { leftOutByWindow, skipOutsideWindow, windowKey } from './date-window.js';
import type { CopySlice, FolderContext, FolderJob, FolderKey, PreparedFolder } from './folder-context.js';

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
  // A folder listed with its STATUS was found changed by the account's setup; one listed
  // without (no LIST-STATUS) is only known now.
  if (
    !job.status &&
    !job.refill &&
    folderUnchanged(ctx.state, ctx.account, job, srcStatus, windowKey(ctx.window))
  )
    return { job, totals, srcStatus };
  const prev = ctx.state.folder(ctx.account, job.source);
  const inDoubt = ctx.state.inDoubt(ctx.account, job.source);
  if (inDoubt.length > 0) {
    await destinationReady;
    await resolveInDoubt(ctx, job, inDoubt);
  }
  // The destination folder is created (when missing) and selected while the source is scanned:
  // the scan does not need it, so its round trips are not on the folder's critical path.
  const destination = destinationReady.then(() => ctx.dst.openForAppend(job.destination));
  destination.catch(() => {}); // awaited below; a failure meanwhile must not kill the process

  // The source is opened and scanned in one round trip while the destination is selected on its
  // own connection, from where the state says the last complete sync stopped. A source folder
  // with another UIDVALIDITY, or a destination folder that is not as recorded, is scanned again
  // from lower down (rare: drift). A big folder is only opened and cut into slices here.
  // Only the rows the destination may not hold are read (usually none), not every row of the
  // folder: a pass over an INBOX of 120,000 messages with one new one took about 5 s and 180 MB
  // reading them all. The others are held now, so settled.
  const scanFrom = (validity: number | undefined, destValidity: number | null | undefined) =>
    prev && !job.refill && validity === prev.uidvalidity
      ? firstUidToScan(
          prev.uidnext,
          ctx.state.unheldRows(ctx.account, job.source, validity, job.destination, destValidity ?? null),
          (r) => leftOutByWindow(ctx.window, r),
        )
      : 1;
  const guess = scanFrom(prev?.uidvalidity, prev?.dest_uidvalidity);
  // A folder is cut into slices when more than a slice may lie above where its scan starts (its
  // UIDs there are at most that many): a first copy or a resume of a big folder, not a pass.
  const perSlice = ctx.sliceMessages ?? COPY_SLICE_MESSAGES;
  const canCut = srcStatus.messages > perSlice && ctx.bodies.uidsAt !== undefined;
  const big = (from: number) => canCut && srcStatus.uidNext - from > perSlice;
  const [opened, { status: destStatus, permanentFlags: permitted }] = await Promise.all([
    big(guess) ? openToCut(ctx.bodies, job.source, perSlice) : ctx.bodies.openAndScan(job.source, guess),
    destination,
  ]);
  const uidvalidity = opened.status.uidValidity;
  const key: FolderKey = { account: ctx.account, folder: job.source, uidvalidity };
  const fromUid = scanFrom(uidvalidity, destStatus.uidValidity);
  const cuts =
    'cuts' in opened
      ? opened.cuts
      : fromUid < guess && big(fromUid)
        ? await cutsOf(ctx.bodies, opened.status.messages, perSlice)
        : [];
  const [first, ...rest] = copySlices(fromUid, cuts, ctx.newestFirst ?? false);
  const scanned =
    'metas' in opened && fromUid >= guess ? opened.metas : await ctx.bodies.scan(first![0], sliceEnd(first!));

  if (
    ctx.syncFlags &&
    prev?.uidvalidity === uidvalidity &&
    ctx.state.hasDoneRows(ctx.account, job.source, uidvalidity)
  ) {
    const settledIn = settledRows(ctx, job, uidvalidity, destStatus.uidValidity);
    totals.flagsUpdated = await syncFlags(ctx, key, job, settledIn, prev.highestmodseq ?? undefined);
  }
  const copy: CopySlice = { key, metas: [], destStatus, permitted, rest, unclaimed: {} };
  copy.metas = await toCopy(ctx, job, copy, scanned, first!, totals);
  return { job, totals, srcStatus, copy };
}

/** A big folder's next slice: scanned on the reader it is open on, what it has to copy found. */
export async function prepareSlice(
  ctx: FolderContext,
  job: FolderJob,
  copy: CopySlice,
  totals: FolderTotals,
): Promise<CopySlice> {
  const [range, ...rest] = copy.rest;
  if (!range) throw new Error('prepareSlice called after the last slice');
  const next: CopySlice = { ...copy, metas: [], rest };
  const scanned = await ctx.bodies.scan(range[0], sliceEnd(range));
  next.metas = await toCopy(ctx, job, next, scanned, range, totals);
  return next;
}

/**
 * What a slice of scanned messages leaves to copy: not settled in the state, within the date
 * window, not already on the destination, not too big; in the order of the copy.
 */
async function toCopy(
  ctx: FolderContext,
  job: FolderJob,
  copy: CopySlice,
  scanned: MessageMeta[],
  range: UidRange,
  totals: FolderTotals,
): Promise<MessageMeta[]> {
  const { key, destStatus } = copy;
  const done = settledRows(ctx, job, key.uidvalidity, destStatus.uidValidity)([range]);
  const fresh = scanned.filter((m) => m.uid >= range[0] && m.uid <= range[1] && !done.has(m.uid));
  const metas = skipOutsideWindow(ctx, key, job, job.policy ? job.policy.select(fresh) : fresh, totals);
  if (metas.length === 0) return metas;
  const toAppend = await recognisePresent(ctx, key, job, metas, copy, totals);
  return copyOrder(skipOversize(ctx, key, job, toAppend, totals), ctx.newestFirst ?? false);
}

/**
 * The settled rows of the folder as it is now in some UID ranges: on the destination as it is
 * now, or left out by the date window as it is now.
 */
function settledRows(
  ctx: FolderContext,
  job: FolderJob,
  uidvalidity: number,
  destValidity: number,
): SettledRows {
  return (ranges) =>
    new Map(
      ctx.state
        .rowsIn(ctx.account, job.source, uidvalidity, ranges)
        .filter((r) => heldNow(r, job, destValidity) || leftOutByWindow(ctx.window, r))
        .map((r) => [r.uid, r]),
    );
}

/** The settled rows of a folder in some UID ranges, by UID (read from the state when asked). */
type SettledRows = (ranges: readonly UidRange[]) => Map<number, MessageRow>;

/**
 * Whether a folder needs nothing: its STATUS tuple equals the one recorded after its last complete
 * sync into the same destination folder under the same date window (date-window.ts), and no batch
 * of it is left in doubt by a crash.
 */
export function folderUnchanged(
  state: CheckpointStore,
  account: string,
  job: Pick<FolderJob, 'source' | 'destination'>,
  st: FolderStatus,
  window: string | null = null,
): boolean {
  const prev = state.folder(account, job.source);
  if (!prev || prev.dest_path !== job.destination) return false;
  if ((prev.window ?? null) !== window) return false;
  if (state.inDoubt(account, job.source).length > 0) return false;
  if (prev.uidvalidity !== st.uidValidity || prev.uidnext !== st.uidNext || prev.messages !== st.messages)
    return false;
  // Without CONDSTORE a flag change is invisible in STATUS; a run then compares flags in full.
  if (st.highestModseq === undefined) return false;
  return prev.highestmodseq === st.highestModseq;
}

/** Rescan from the last UIDNEXT, or from the lowest message not held now (failed, skipped, lost). */
function firstUidToScan(uidnext: number, rows: MessageRow[], held: (r: MessageRow) => boolean): number {
  let from = uidnext;
  for (const r of rows) if (!held(r) && r.uid < from) from = r.uid;
  return from;
}

/**
 * Whether a row's message is on the destination as the folder is now: done, in this destination
 * folder, and recorded in the folder as it is (same UIDVALIDITY). A folder deleted or recreated
 * since (drift) holds none of what was recorded: those messages are looked for again.
 */
function heldNow(r: MessageRow, job: FolderJob, destUidValidity: number | null): boolean {
  if (!isDone(r.state)) return false;
  if (r.dest_folder !== null && r.dest_folder !== job.destination) return false;
  return r.dest_uidvalidity === null || destUidValidity === null || r.dest_uidvalidity === destUidValidity;
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
  key: FolderKey,
  job: FolderJob,
  settledIn: SettledRows,
  changedSince: string | undefined,
): Promise<number> {
  const opened = await ctx.src.examine(job.source);
  if (opened.status.uidValidity !== key.uidvalidity) {
    throw folderRecreated('source', job.source);
  }
  const current = await ctx.src.scanFlags(ctx.src.capabilities.has('CONDSTORE') ? changedSince : undefined);
  // The rows of the messages whose flags were read: with CONDSTORE, those changed since the last pass.
  const done = current.size > 0 ? settledIn(uidRanges(current.keys())) : new Map<number, MessageRow>();
  let updated = 0;
  for (const [uid, flags] of current) {
    const row = done.get(uid);
    if (!row || row.dest_uid === null) continue;
    const recorded = JSON.parse(row.flags) as string[];
    // A provider's rule may add keywords to the copy (Gmail's labels): they stay.
    const wanted = job.policy ? job.policy.flags(row.identity, flags) : flags;
    if (sameFlags(recorded, wanted)) continue;
    await ctx.dst.setFlags(row.dest_folder ?? job.destination, row.dest_uid, storableFlags(wanted));
    ctx.state.updateFlags(key, uid, wanted);
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
  key: FolderKey,
  job: FolderJob,
  metas: MessageMeta[],
  copy: Pick<CopySlice, 'destStatus' | 'unclaimed'>,
  totals: FolderTotals,
): Promise<MessageMeta[]> {
  // Read once per folder: a big folder's later slices take from what its first one read.
  if (copy.unclaimed.pool === undefined)
    copy.unclaimed.pool = await unclaimedPool(ctx, key, job, copy.destStatus);
  const pool = copy.unclaimed.pool;
  if (!pool) return metas;
  const rest: MessageMeta[] = [];
  const present: Parameters<CheckpointStore['recordWithoutAppend']>[2] = [];
  for (const m of metas) {
    const destUid = pool.take(m.identity);
    if (destUid === undefined) rest.push(m);
    else present.push({ meta: m, state: 'present', destUid, destUidValidity: copy.destStatus.uidValidity });
  }
  ctx.state.recordWithoutAppend(key, job.destination, present);
  totals.present += present.length;
  return rest;
}

/**
 * The destination folder's messages no current state row claims, by identity; null when it holds
 * none (it is not listed then).
 */
async function unclaimedPool(
  ctx: FolderContext,
  key: FolderKey,
  job: FolderJob,
  destStatus: FolderStatus,
): Promise<IdentityPool | null> {
  const claims = ctx.state
    .destinationClaims(ctx.account, job.destination)
    .filter(
      (r) =>
        r.dest_uidvalidity === destStatus.uidValidity &&
        !(r.folder === key.folder && r.uidvalidity !== key.uidvalidity),
    );
  if (destStatus.messages <= claims.length) return null;
  const claimed = claims.flatMap((r) => (r.dest_uid === null ? [] : [r.dest_uid]));
  const pool = new IdentityPool(await unclaimedMessages(ctx.dst, job.destination, destStatus, claimed));
  // A copy recorded without its UID (a destination without UIDPLUS) is in the folder too: it holds
  // one message of its identity, which another source message must not be matched with.
  for (const r of claims) if (r.dest_uid === null && r.identity !== null) pool.take(r.identity);
  return pool;
}

/**
 * The destination folder's messages no row claims, with their identities. After the cutover new
 * mail lands there every day and is never claimed, so every later pass comes here: only the UIDs
 * between and after the claimed ones are read (a few ranges: a run appends in batches), not the
 * folder (a server that has not cached the header fields parses every message it is asked about).
 * @throws MailshiftError UIDVALIDITY_CHANGED when the folder was recreated in between
 */
async function unclaimedMessages(
  dst: DestinationStore,
  path: string,
  status: FolderStatus,
  claimed: readonly number[],
): Promise<MessageMeta[]> {
  if (!dst.scanUids) {
    await dst.examine(path);
    const taken = new Set(claimed);
    return (await dst.scan(1)).filter((m) => !taken.has(m.uid));
  }
  return messagesIn(dst, path, uidGaps(claimed), {
    side: 'destination',
    uidValidity: status.uidValidity,
    during: 'run',
  });
}

/** Messages over the plan's size limit or the destination's APPENDLIMIT are skipped and named. */
function skipOversize(
  ctx: FolderContext,
  key: FolderKey,
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
