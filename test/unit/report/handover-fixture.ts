/**
 * A migration after its cutover, for the handover report's tests: a state written by the real
 * stores (four passes of a sync, checkpoints with a refused, a repaired and a flag-dropped message,
 * the window's skips; one mailbox that recovered from a refused login, one still stopped), and a
 * verification report over it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore, type MessageIntent } from '../../../src/state/checkpoint-store.js';
import { ScheduleStore, type PassAccountRow } from '../../../src/state/schedule-store.js';
import type { AccountResult, FolderCounts, VerifyReport } from '../../../src/verify/types.js';

export const DAY = Date.parse('2026-12-05T17:00:00Z');
export const ACCOUNTS = ['biuro@acme.example', 'kontakt@acme.example', 'sprzedaz@acme.example'];
export const plan = {
  name: 'acme',
  client: 'ACME <Sp. z o.o.>',
  accounts: ACCOUNTS.map((id) => ({ id, destination: { user: id.replace('acme', 'acme-new') } })),
};

function intents(from: number, n: number, size = 1536): MessageIntent[] {
  return Array.from({ length: n }, (_, i) => ({
    uid: from + i,
    identity: `<h${from + i}@acme.example>:${size}`,
    size,
    internalDate: DAY - (from + i) * 86_400_000,
    flags: [],
  }));
}

/** The state after the cutover. */
export function state() {
  const path = join(mkdtempSync(join(tmpdir(), 'mailshift-handover-')), 'state.sqlite');
  const store = CheckpointStore.open(path);
  const schedule = ScheduleStore.open(path);
  const b = { account: 'biuro@acme.example', folder: 'Faktury/<2024>', uidvalidity: 1 };
  store.recordIntent(b, 'Faktury/<2024>', 1, intents(1, 33));
  store.commitBatch(b, 5, [
    ...intents(1, 30).map((m) => ({ uid: m.uid, ok: true as const, destUid: m.uid })),
    { uid: 31, ok: false as const, reason: 'NO [LIMIT] message too large' },
    { uid: 32, ok: true as const, destUid: 32, repaired: 'bare LF line endings made CRLF' },
    { uid: 33, ok: true as const, destUid: 33, droppedFlags: ['$Label1'] },
  ]);
  store.recordWithoutAppend(
    b,
    'Faktury/<2024>',
    intents(40, 5).map((meta) => ({
      meta,
      state: 'skipped' as const,
      reason: 'outside the date window (since 2y)',
    })),
  );
  const k = { account: 'kontakt@acme.example', folder: 'INBOX', uidvalidity: 1 };
  store.recordIntent(k, 'INBOX', 1, intents(1, 10));
  store.commitBatch(
    k,
    5,
    intents(1, 10).map((m) => ({ uid: m.uid, ok: true as const, destUid: m.uid })),
  );
  for (const a of ACCOUNTS) store.setAccountStatus(a, a.startsWith('sprzedaz') ? 'incomplete' : 'done');
  const stop = (account: string, error: string): Omit<PassAccountRow, 'pass'> => ({
    account,
    status: 'stopped',
    copied: 0,
    bytes: 0,
    failed: 0,
    code: 'AUTH_FAILED',
    error,
  });
  const done = (account: string, copied = 0): Omit<PassAccountRow, 'pass'> => ({
    account,
    status: 'done',
    copied,
    bytes: copied * 1536,
    failed: 0,
    code: undefined,
    error: undefined,
  });
  schedule.saveConfig(900_000, DAY, DAY - 3 * 86_400_000);
  const passes: [boolean, Omit<PassAccountRow, 'pass'>[]][] = [
    [
      false,
      [
        done('biuro@acme.example', 33),
        stop('kontakt@acme.example', 'login refused for kontakt@acme.example'),
        done('sprzedaz@acme.example'),
      ],
    ],
    [
      false,
      [
        done('biuro@acme.example'),
        stop('kontakt@acme.example', 'login refused for kontakt@acme.example'),
        done('sprzedaz@acme.example'),
      ],
    ],
    [
      false,
      [
        done('biuro@acme.example'),
        done('kontakt@acme.example', 10),
        stop('sprzedaz@acme.example', 'token expired for sprzedaz@acme.example'),
      ],
    ],
    [
      true,
      [
        done('biuro@acme.example'),
        done('kontakt@acme.example'),
        stop('sprzedaz@acme.example', 'token expired for sprzedaz@acme.example'),
      ],
    ],
  ];
  passes.forEach(([final, rows], i) => {
    const at = DAY - (3 - i) * 3_600_000;
    const n = schedule.startPass({
      trigger: final ? 'cutover' : i === 0 ? 'first' : 'schedule',
      final,
      startedAt: at,
    });
    schedule.finishPass(
      n,
      { finishedAt: at + 60_000, status: 'incomplete', copied: 0, bytes: 0, failed: 0, accountsFailed: 1 },
      rows,
    );
  });
  schedule.markFinalDone(DAY + 60_000);
  return { store, schedule };
}

const counts = (c: Partial<FolderCounts>): FolderCounts => ({
  source: 0,
  destination: 0,
  matched: 0,
  matchedByCheckpoint: 0,
  matchedByIdentity: 0,
  missing: 0,
  notYetCopied: 0,
  skipped: 0,
  extra: 0,
  flagDifferences: 0,
  dateDifferences: 0,
  contentChecked: 0,
  contentDifferences: 0,
  ...c,
});

function verified(account: string, c: Partial<FolderCounts>, login: 'ok' | string = 'ok'): AccountResult {
  return {
    account,
    destinationUser: account,
    sourceLogin: { ok: true },
    destinationLogin: login === 'ok' ? { ok: true } : { ok: false, error: login },
    folders: [
      {
        source: 'INBOX',
        destination: 'INBOX',
        status: 'compared',
        counts: counts(c),
        missing: [],
        notYetCopied: [],
        skipped: [],
        extra: [],
        flagDifferences: [],
        dateDifferences: [],
        contentDifferences: [],
      },
    ],
  };
}

/** A verification report of the migration with the given verdict. */
export function verifyReport(verdict: VerifyReport['verdict'], sprzedazLogin = 'ok'): VerifyReport {
  return {
    version: 1,
    plan: 'acme',
    generatedAt: '2026-12-05T17:05:00.000Z',
    seconds: 3,
    mode: { kind: 'headers' },
    lang: 'en',
    verdict,
    totals: {
      ...counts({}),
      accounts: 3,
      accountsFailed: 0,
      folders: 3,
      foldersMissing: 0,
      foldersFailed: 0,
      addressesWithoutDestination: 0,
    },
    accounts: [
      verified('biuro@acme.example', { missing: 1, flagDifferences: 1 }),
      verified('kontakt@acme.example', {}),
      verified('sprzedaz@acme.example', {}, sprzedazLogin),
    ],
    addresses: [],
  };
}
