/**
 * The handover report from a state written by the real stores (passes of a sync, checkpoints)
 * and a verification report: per mailbox what was copied, its last pass, verify's verdict, and each
 * failure with what was done about it (refused and left on the old server, repaired, flags dropped,
 * a stop that recovered, one that did not); the window's skips with their reason. Rendered in
 * Polish and English as HTML (self-contained, escaped), Markdown and JSON (read back strictly).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CheckpointStore, type MessageIntent } from '../../../src/state/checkpoint-store.js';
import { ScheduleStore, type PassAccountRow } from '../../../src/state/schedule-store.js';
import { accountStops, buildHandover } from '../../../src/report/handover-model.js';
import { handoverHtml } from '../../../src/report/handover-html.js';
import { handoverMarkdown } from '../../../src/report/handover-markdown.js';
import { handoverJson, parseHandoverJson, writeHandoverReports } from '../../../src/report/handover-write.js';
import type { AccountResult, FolderCounts, VerifyReport } from '../../../src/verify/types.js';

const DAY = Date.parse('2026-12-05T17:00:00Z');
const ACCOUNTS = ['biuro@acme.example', 'kontakt@acme.example', 'sprzedaz@acme.example'];
const plan = {
  name: 'acme',
  client: 'ACME <Sp. z o.o.>',
  accounts: ACCOUNTS.map((id) => ({ id, destination: { user: id.replace('acme', 'acme-new') } })),
};

function intents(from: number, n: number, size = 1536): MessageIntent[] {
  return Array.from({ length: n }, (_, i) => ({
    uid: from + i,
    identity: `<h${from + i}@acme.example>:${size}`,
    size,
    internalDate: new Date(DAY - (from + i) * 86_400_000),
    flags: [],
  }));
}

function state() {
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
    intents(40, 5).map((meta) => ({ meta, state: 'skipped' as const, reason: 'outside the date window (since 2y)' })),
  );
  const k = { account: 'kontakt@acme.example', folder: 'INBOX', uidvalidity: 1 };
  store.recordIntent(k, 'INBOX', 1, intents(1, 10));
  store.commitBatch(k, 5, intents(1, 10).map((m) => ({ uid: m.uid, ok: true as const, destUid: m.uid })));
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
    [false, [done('biuro@acme.example', 33), stop('kontakt@acme.example', 'login refused for kontakt@acme.example'), done('sprzedaz@acme.example')]],
    [false, [done('biuro@acme.example'), stop('kontakt@acme.example', 'login refused for kontakt@acme.example'), done('sprzedaz@acme.example')]],
    [false, [done('biuro@acme.example'), done('kontakt@acme.example', 10), stop('sprzedaz@acme.example', 'token expired for sprzedaz@acme.example')]],
    [true, [done('biuro@acme.example'), done('kontakt@acme.example'), stop('sprzedaz@acme.example', 'token expired for sprzedaz@acme.example')]],
  ];
  passes.forEach(([final, rows], i) => {
    const at = DAY - (3 - i) * 3_600_000;
    const n = schedule.startPass({ trigger: final ? 'cutover' : i === 0 ? 'first' : 'schedule', final, startedAt: at });
    schedule.finishPass(n, { finishedAt: at + 60_000, status: 'incomplete', copied: 0, bytes: 0, failed: 0, accountsFailed: 1 }, rows);
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

function verifyReport(verdict: VerifyReport['verdict'], sprzedazLogin = 'ok'): VerifyReport {
  return {
    version: 1,
    plan: 'acme',
    generatedAt: '2026-12-05T17:05:00.000Z',
    seconds: 3,
    mode: { kind: 'headers' },
    lang: 'en',
    verdict,
    totals: { ...counts({}), accounts: 3, accountsFailed: 0, folders: 3, foldersMissing: 0, foldersFailed: 0, addressesWithoutDestination: 0 },
    accounts: [
      verified('biuro@acme.example', { missing: 1, flagDifferences: 1 }),
      verified('kontakt@acme.example', {}),
      verified('sprzedaz@acme.example', {}, sprzedazLogin),
    ],
    addresses: [],
  };
}

describe('handover report', () => {
  const { store, schedule } = state();

  it('per mailbox: copied, last pass, verify verdict, failures with what was done', () => {
    const r = buildHandover({ plan, store, schedule, verify: verifyReport('failed', 'AUTHENTICATIONFAILED'), lang: 'en', now: new Date(DAY + 3_600_000) });
    assert.equal(r.verdict, 'failed');
    assert.equal(r.passes, 4);
    assert.equal(r.finalPassAt, '2026-12-05T17:01:00.000Z');
    assert.equal(r.cutoverAt, '2026-12-05T17:00:00.000Z');
    const [biuro, kontakt, sprzedaz] = r.accounts;
    assert.deepEqual([biuro?.copied, biuro?.failed, biuro?.skipped, biuro?.bytes], [32, 1, 5, 32 * 1536]);
    assert.equal(biuro?.destinationUser, 'biuro@acme-new.example');
    assert.equal(biuro?.lastPass, 4);
    assert.deepEqual(
      biuro?.failures.map((f) => [f.action, f.uid, f.reason]),
      [
        ['left-on-source', 31, 'NO [LIMIT] message too large'],
        ['repaired', 32, 'bare LF line endings made CRLF'],
        ['flags-dropped', 33, '$Label1'],
      ],
    );
    assert.deepEqual(biuro?.skippedByReason, [{ reason: 'outside the date window (since 2y)', messages: 5, bytes: 5 * 1536 }]);
    assert.equal(biuro?.check.verdict, 'failed');
    assert.deepEqual(
      kontakt?.failures.map((f) => [f.action, f.passes, f.resolvedInPass]),
      [['recovered', [1, 2], 3]],
    );
    assert.equal(kontakt?.check.verdict, 'passed');
    assert.deepEqual(
      sprzedaz?.failures.map((f) => [f.action, f.passes, f.reason]),
      [['still-stopped', [3, 4], 'token expired for sprzedaz@acme.example']],
    );
    assert.equal(sprzedaz?.check.error, 'AUTHENTICATIONFAILED');
    assert.deepEqual(r.totals, { accounts: 3, copied: 42, present: 0, skipped: 5, failed: 1, bytes: 42 * 1536 });
  });

  it('a passed verification with a mailbox still stopped is not complete', () => {
    const r = buildHandover({ plan, store, schedule, verify: verifyReport('passed'), lang: 'en', now: new Date(DAY) });
    assert.equal(r.verdict, 'incomplete');
  });

  it('groups consecutive stops with the same reason; a different reason is its own entry', () => {
    const row = (pass: number, status: PassAccountRow['status'], error?: string): PassAccountRow => ({
      pass,
      account: 'a',
      status,
      copied: 0,
      bytes: 0,
      failed: 0,
      code: undefined,
      error,
    });
    assert.deepEqual(
      accountStops([row(1, 'stopped', 'x'), row(2, 'stopped', 'y'), row(3, 'done'), row(4, 'stopped', 'x')]).map((f) => [
        f.action,
        f.passes,
        f.resolvedInPass,
      ]),
      [
        ['recovered', [1], 3],
        ['recovered', [2], 3],
        ['still-stopped', [4], undefined],
      ],
    );
  });

  it('renders Polish HTML: self-contained, escaped, with Polish number and size formats', () => {
    const r = buildHandover({ plan, store, schedule, verify: verifyReport('failed'), lang: 'pl', now: new Date(DAY) });
    const html = handoverHtml(r);
    assert.match(html, /<html lang="pl">/);
    assert.match(html, /Migracja poczty: raport przekazania/);
    assert.match(html, /Czego\u015b brakuje/);
    assert.match(html, /ACME &lt;Sp\. z o\.o\.&gt;/, 'the client name escaped');
    assert.match(html, /Faktury\/&lt;2024&gt;, wiadomo\u015b\u0107 UID 31/, 'folder names escaped');
    assert.match(html, /<td>32 \(48 KB\)<\/td>/, 'biuro: 32 copied');
    assert.match(html, /\(since 2y\): 5 \(7,5 KB\)/, 'a Polish decimal comma, as units.ts formats sizes');
    assert.match(html, /Ponawiano w kolejnych przebiegach; przesz\u0142a w przebiegu 3\./);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(html, /<script/);
  });

  it('renders English Markdown and JSON that reads back', () => {
    const r = buildHandover({ plan, store, schedule, verify: verifyReport('passed'), lang: 'en', now: new Date(DAY) });
    const md = handoverMarkdown(r);
    assert.match(md, /^# Mail migration: handover report/);
    assert.match(md, /> \*\*Not complete yet\*\*/);
    assert.match(md, /\| Faktury\/\\<2024\\>, message UID 31 \| NO \\\[LIMIT\\\] message too large \|/);
    assert.match(md, /the mailbox, passes 3, 4 \| token expired for sprzedaz@acme\.example \| Tried again on every pass since; still not through\. \|/);
    const back = parseHandoverJson(handoverJson(r));
    assert.deepEqual(back, JSON.parse(JSON.stringify(r)));
    assert.throws(() => parseHandoverJson(JSON.stringify({ ...r, version: 2 })), /version 1 .*version 2/);
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-handover-out-'));
    const files = writeHandoverReports(r, dir, ['html', 'md', 'json']);
    assert.deepEqual(
      files.map((f) => f.slice(dir.length + 1)),
      ['handover-20261205-170000-000.html', 'handover-20261205-170000-000.md', 'handover-20261205-170000-000.json'],
    );
    assert.equal(statSync(files[0]!).mode & 0o777, 0o600);
    assert.equal(readFileSync(files[2]!, 'utf8'), handoverJson(r));
  });
});
