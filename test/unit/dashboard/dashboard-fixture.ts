/**
 * A state directory as a sync leaves it mid-way, written through the real stores and the real
 * events-file reporter: three accounts (one done with messages left out by the date window, one
 * being copied, one stopped by a refused login and waiting), two passes, the next one planned.
 * `advance()` continues the copy the way a run would (checkpoint rows, then events).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore, type MessageIntent } from '../../../src/state/checkpoint-store.js';
import { ScheduleStore } from '../../../src/state/schedule-store.js';
import { stateDirFor, prepareStateDir, type StateDir } from '../../../src/state/state-dir.js';
import { EventFileReporter } from '../../../src/report/event-file-reporter.js';
import { emptyTotals } from '../../../src/core/events.js';

export const ACCOUNTS = ['biuro@acme.example', 'kontakt@acme.example', 'sprzedaz@acme.example'];
/** The first pass started half an hour ago (the dashboard measures rates against the real clock). */
export const START = Math.floor((Date.now() - 30 * 60_000) / 1000) * 1000;

function intents(from: number, n: number, size = 2048): MessageIntent[] {
  return Array.from({ length: n }, (_, i) => ({
    uid: from + i,
    identity: `<m${from + i}@acme.example>:${size}`,
    size,
    internalDate: START - (from + i) * 3_600_000,
    flags: ['\\Seen'],
  }));
}

/** A filled state directory and a way to move its copy on. */
export interface FilledState {
  state: StateDir;
  store: CheckpointStore;
  schedule: ScheduleStore;
  events: EventFileReporter;
  /** Copies `n` more messages of kontakt@ (rows and events), as a run would. */
  advance(n: number): void;
  /** Ends the run: kontakt@ done, run-done event. */
  finish(): void;
  close(): void;
}

/** Writes the state of a sync half-way through its second pass. */
export function fillState(): FilledState {
  const root = mkdtempSync(join(tmpdir(), 'mailshift-dash-'));
  const state = stateDirFor('acme', join(root, 'state'));
  prepareStateDir(state);
  const store = CheckpointStore.open(state.db);
  const schedule = ScheduleStore.open(state.db);
  // Pass 2's events are stamped from 30 s ago, two seconds apart, as a run writes them.
  let t = 0;
  const events = new EventFileReporter(state.dir, { now: () => new Date(Date.now() - 30_000 + t * 1000) });
  const key = (account: string, folder = 'INBOX') => ({ account, folder, uidvalidity: 7 });

  // Pass 1 (finished): biuro@ copied 30 and left 5 out by the window; sprzedaz@ refused.
  schedule.saveConfig(900_000, START + 3 * 86_400_000, START);
  const p1 = schedule.startPass({ trigger: 'first', final: false, startedAt: START });
  const b = key('biuro@acme.example');
  store.recordIntent(b, 'INBOX', 1, intents(1, 30));
  store.commitBatch(
    b,
    9,
    intents(1, 30).map((m, i) => ({ uid: m.uid, ok: true, destUid: i + 1 })),
  );
  store.recordWithoutAppend(
    b,
    'INBOX',
    intents(31, 5, 4096).map((meta) => ({
      meta,
      state: 'skipped' as const,
      reason: 'outside the date window (since 2y)',
    })),
  );
  store.saveFolder({
    account: 'biuro@acme.example',
    source_path: 'INBOX',
    dest_path: 'INBOX',
    uidvalidity: 7,
    uidnext: 36,
    messages: 35,
    highestmodseq: null,
    dest_uidvalidity: 9,
  });
  store.setAccountStatus('biuro@acme.example', 'done');
  store.setAccountStatus(
    'sprzedaz@acme.example',
    'incomplete',
    'login refused for sprzedaz@acme.example on imap.new-host.example',
  );
  schedule.finishPass(
    p1,
    {
      finishedAt: START + 60_000,
      status: 'incomplete',
      copied: 30,
      bytes: 30 * 2048,
      failed: 0,
      accountsFailed: 1,
    },
    [
      {
        account: 'biuro@acme.example',
        status: 'done',
        copied: 30,
        bytes: 30 * 2048,
        failed: 0,
        code: undefined,
        error: undefined,
      },
      {
        account: 'sprzedaz@acme.example',
        status: 'stopped',
        copied: 0,
        bytes: 0,
        failed: 0,
        code: 'AUTH_FAILED',
        error: 'login refused for sprzedaz@acme.example on imap.new-host.example',
      },
    ],
  );
  schedule.setBackoff({
    account: 'sprzedaz@acme.example',
    failures: 2,
    retryAt: START + 3_600_000,
    code: 'AUTH_FAILED',
    error: 'login refused',
    since: START,
  });

  // Pass 2 (running): kontakt@ has 100 messages in INBOX, 20 copied so far, one refused.
  schedule.startPass({ trigger: 'schedule', final: false, startedAt: START + 900_000 });
  schedule.setNext(START + 1_800_000, false, START + 900_000);
  const emit = (e: Parameters<EventFileReporter['emit']>[0]) => events.emit(e);
  emit({ type: 'run-start', accounts: 2 });
  emit({ type: 'account-start', account: 'biuro@acme.example' });
  emit({
    type: 'folder-done',
    account: 'biuro@acme.example',
    folder: 'INBOX',
    destination: 'INBOX',
    totals: emptyTotals(),
    unchanged: true,
  });
  emit({ type: 'account-planned', account: 'biuro@acme.example', folders: 1, messages: 0, bytes: 0 });
  emit({
    type: 'account-done',
    account: 'biuro@acme.example',
    totals: emptyTotals(),
    folders: 1,
    failedFolders: 0,
  });
  emit({ type: 'account-start', account: 'kontakt@acme.example' });
  store.setAccountStatus('kontakt@acme.example', 'in progress');
  emit({
    type: 'account-planned',
    account: 'kontakt@acme.example',
    folders: 1,
    messages: 100,
    bytes: 100 * 2048,
  });
  emit({
    type: 'folder-start',
    account: 'kontakt@acme.example',
    folder: 'INBOX',
    destination: 'INBOX',
    toCopy: 100,
    bytes: 100 * 2048,
    pipes: 1,
  });
  const k = key('kontakt@acme.example');
  let next = 1;
  const copy = (n: number, failOne = false) => {
    const batch = intents(next, n);
    next += n;
    store.recordIntent(k, 'INBOX', next, batch);
    store.commitBatch(
      k,
      11,
      batch.map((m, i) =>
        failOne && i === 0
          ? { uid: m.uid, ok: false as const, reason: 'NO [LIMIT] message too large for this mailbox' }
          : { uid: m.uid, ok: true as const, destUid: m.uid },
      ),
    );
    t += 2;
    if (failOne)
      emit({
        type: 'message-failed',
        account: 'kontakt@acme.example',
        folder: 'INBOX',
        uid: batch[0]!.uid,
        reason: 'NO [LIMIT] message too large for this mailbox',
      });
    emit({
      type: 'progress',
      account: 'kontakt@acme.example',
      folder: 'INBOX',
      messages: failOne ? n - 1 : n,
      bytes: (failOne ? n - 1 : n) * 2048,
    });
  };
  copy(10, true);
  copy(10);
  return {
    state,
    store,
    schedule,
    events,
    advance: (n) => {
      for (let i = 0; i < n; i += 10) copy(Math.min(10, n - i));
    },
    finish: () => {
      store.setAccountStatus('kontakt@acme.example', 'incomplete');
      emit({
        type: 'folder-done',
        account: 'kontakt@acme.example',
        folder: 'INBOX',
        destination: 'INBOX',
        totals: emptyTotals(),
        unchanged: false,
      });
      emit({
        type: 'account-done',
        account: 'kontakt@acme.example',
        totals: emptyTotals(),
        folders: 1,
        failedFolders: 0,
      });
      emit({ type: 'run-done', seconds: t, totals: emptyTotals(), interrupted: false });
    },
    close: () => {
      events.close();
      schedule.close();
      store.close();
    },
  };
}
