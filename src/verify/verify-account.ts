/**
 * Verifies one account: log in on both sides (a refused destination login is itself a finding),
 * list both, take the folder mapping, then compare the destination folders over a few connection
 * pairs at once, biggest first. A folder the server refuses to open is reported and the others go
 * on; a dropped connection is reopened and the folder compared again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoff } from '../core/backoff.js';
import { type FolderMapper } from '../core/ports.js';
import type { RepairPolicy } from '../core/repair.js';
import { transientOf } from '../core/errors.js';
import type { FolderReader } from '../core/ports.js';
import type { SideListing } from '../core/folders.js';
import type { PlanAccount } from '../plan/load-plan.js';
import { describeError, MailshiftError } from '../core/errors.js';
import type { Logger } from '../shared/logger.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import { folderResult } from './counts.js';
import { planFolders, type FolderGroup } from './plan-folders.js';
import type { AccountResult, FolderResult, VerifyMode } from './types.js';
import { verifyGroup } from './verify-folder-group.js';
import type { ReaderConnectors } from '../core/ports.js';

/** What verifying an account needs. */
export interface AccountVerifyDeps {
  connect: ReaderConnectors;
  store: CheckpointStore;
  mapper: FolderMapper;
  mode: VerifyMode;
  repair: RepairPolicy;
  /** Connection pairs this account may use at once. */
  connections: number;
  signal: AbortSignal;
  logger: Logger;
  /** Attempts per destination folder when the connection drops or the server asks to slow down. */
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
}

interface Pair {
  src?: FolderReader;
  dst?: FolderReader;
}

async function closePair(p: Pair): Promise<void> {
  await Promise.allSettled([p.src?.close(), p.dst?.close()]);
}

function loginError(err: unknown): string {
  return err instanceof MailshiftError ? err.message : describeError(err);
}

/**
 * Verifies an account; never throws for the account's own problems (they are in the result).
 * @throws MailshiftError INTERRUPTED when the signal is aborted, or a bug's error
 */
export async function verifyAccount(account: PlanAccount, deps: AccountVerifyDeps): Promise<AccountResult> {
  const result: AccountResult = {
    account: account.id,
    destinationUser: account.destination.user,
    sourceLogin: { ok: true },
    destinationLogin: { ok: true },
    folders: [],
  };
  // Both logins are tried even when one fails: each refused login is a finding of its own.
  const [src, dst] = await Promise.allSettled([deps.connect.source(), deps.connect.destination()]);
  if (src.status === 'rejected') result.sourceLogin = { ok: false, error: loginError(src.reason) };
  if (dst.status === 'rejected') result.destinationLogin = { ok: false, error: loginError(dst.reason) };
  const first: Pair = {
    src: src.status === 'fulfilled' ? src.value : undefined,
    dst: dst.status === 'fulfilled' ? dst.value : undefined,
  };
  if (!first.src || !first.dst) {
    await closePair(first);
    result.error = 'cannot log in; nothing of this account was compared';
    return result;
  }
  let handedOver = false;
  try {
    const [source, destination] = await Promise.all([first.src.listFolders(), first.dst.listFolders()]);
    const plan = planFor(account.id, source, destination, deps);
    const groups = [...plan.groups];
    const done: FolderResult[] = [...plan.settled];
    const workers = Math.max(1, Math.min(deps.connections, groups.length));
    // Worker 0 takes over the connections used for listing, and closes them with its own.
    handedOver = true;
    await Promise.all(
      Array.from({ length: workers }, (_, i) =>
        runWorker(groups, done, deps, account.id, i === 0 ? first : {}),
      ),
    );
    const position = new Map(plan.order.map((p, i) => [p, i]));
    result.folders = done.sort(
      (a, b) =>
        (position.get(a.source) ?? Infinity) - (position.get(b.source) ?? Infinity) ||
        a.source.localeCompare(b.source),
    );
  } catch (err) {
    // The account's own problems are findings; a run-wide stop or a bug is not.
    if (!(err instanceof MailshiftError) || err.scope === 'run') throw err;
    result.error = describeError(err);
  } finally {
    if (!handedOver) await closePair(first);
  }
  return result;
}

function planFor(id: string, source: SideListing, destination: SideListing, deps: AccountVerifyDeps) {
  const decisions = deps.mapper.resolved(id) ?? deps.mapper.propose(id, source, destination);
  const last = new Map(deps.store.folders(id).map((f) => [f.source_path, f.dest_path]));
  return planFolders(decisions, source, destination, last);
}

/** One connection pair taking groups from the shared queue until it is empty. */
async function runWorker(
  queue: FolderGroup[],
  done: FolderResult[],
  deps: AccountVerifyDeps,
  account: string,
  initial: Pair,
): Promise<void> {
  const pair: Pair = initial;
  const retry = deps.retry ?? { attempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };
  try {
    for (let group = queue.shift(); group; group = queue.shift()) {
      if (deps.signal.aborted) throw interrupted();
      for (let attempt = 1; ; attempt++) {
        try {
          pair.src ??= await deps.connect.source();
          pair.dst ??= await deps.connect.destination();
          done.push(
            ...(await verifyGroup(pair.src, pair.dst, group, {
              account,
              store: deps.store,
              mode: deps.mode,
              repair: deps.repair,
            })),
          );
          break;
        } catch (err) {
          const transient = transientOf(err);
          if (transient && attempt < retry.attempts && !deps.signal.aborted) {
            // A throttling server may say how long to wait (Microsoft 365); otherwise back off with jitter.
            const delay = transient.waitMs ?? backoff(attempt - 1, retry);
            deps.logger.warn(
              { account, folder: group.destination, attempt, delay, err: String(err) },
              'verify: retrying',
            );
            await closePair(pair);
            pair.src = undefined;
            pair.dst = undefined;
            await sleep(delay, undefined, { signal: deps.signal }).catch(() => undefined);
            if (deps.signal.aborted) throw interrupted();
            continue;
          }
          if (!(err instanceof MailshiftError) || err.scope === 'run') throw err;
          const detail = err.message;
          done.push(...group.sources.map((s) => folderResult(s, group.destination, 'error', { detail })));
          break;
        }
      }
    }
  } finally {
    await closePair(pair);
  }
}

function interrupted(): MailshiftError {
  return new MailshiftError('verification stopped before the end; nothing was changed', {
    code: 'INTERRUPTED',
    scope: 'run',
    hint: 'run verify again; it reads both sides afresh',
  });
}
