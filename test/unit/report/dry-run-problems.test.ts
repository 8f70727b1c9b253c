/**
 * Problem detection of the dry-run report, one category at a time, from discovery results built
 * in memory: what is a blocker, what is counted, and what is left alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDryRunReport } from '../../../src/report/dry-run-build.js';
import type { DryRunReport, ProblemKind } from '../../../src/report/dry-run-model.js';
import { MAX_ITEMS } from '../../../src/report/dry-run-problems.js';
import { keepable } from '../../../src/core/flags.js';
import {
  accountInput,
  copy,
  destinationFolder,
  destinationSide,
  failedSide,
  input,
  sourceFolder,
  sourceSide,
  type Msg,
} from './dry-run-fixtures.js';

const U = 'jan@acme.example';

function kinds(r: DryRunReport): string[] {
  return r.problems.map((p) => `${p.severity}:${p.kind}`);
}

function only(r: DryRunReport, kind: ProblemKind) {
  const found = r.problems.filter((p) => p.kind === kind);
  assert.equal(found.length, 1, `${kind} in ${JSON.stringify(kinds(r))}`);
  return found[0]!;
}

/** A plain account: INBOX with three messages copied into a fresh destination. */
function plain(
  dstExtra: Parameters<typeof destinationSide>[2] = {},
  messages: Msg[] = [{ size: 1000 }, { size: 2000 }, { size: 3000 }],
) {
  return accountInput(
    U,
    sourceSide(U, [sourceFolder('INBOX', messages)]),
    destinationSide(U, [destinationFolder('INBOX')], dstExtra),
    [copy('INBOX', 'INBOX', true)],
  );
}

describe('dry-run problems', () => {
  it('finds nothing in a plain account and says ready', () => {
    const r = buildDryRunReport(input([plain()]));
    assert.deepEqual(kinds(r), []);
    assert.equal(r.verdict, 'ready');
    assert.equal(r.summary.messages, 3);
    assert.equal(r.summary.bytes, 6000);
  });

  it('a refused login is a blocker naming the side, and the other side is still read', () => {
    const a = accountInput(
      U,
      sourceSide(U, [sourceFolder('INBOX', [{ size: 10 }])]),
      failedSide(U),
      undefined,
    );
    const r = buildDryRunReport(input([a]));
    const p = only(r, 'login-failed');
    assert.equal(p.severity, 'blocker');
    assert.equal(p.params.side, 'destination');
    assert.deepEqual(p.items, [`login refused for ${U}`], 'the hint of a refused login is the action itself');
    assert.equal(r.verdict, 'blocked');
    assert.equal(r.accounts[0]!.folders[0]!.action, 'unknown');
    assert.equal(r.summary.messages, 1, 'the source was read: its mail still counts');
  });

  it("counts messages over APPENDLIMIT as blockers and over the plan's limit as warnings; the smaller limit decides", () => {
    const sizes = [{ size: 100 }, { size: 6000 }, { size: 9000 }, { size: 12000 }];
    const append = buildDryRunReport(input([plain({ appendLimit: 8000 }, sizes)]));
    const p = only(append, 'over-append-limit');
    assert.equal(p.severity, 'blocker');
    assert.equal(p.count, 2);
    assert.equal(p.bytes, 21000);
    assert.match(p.items[0]!, /^INBOX, UID 4, 12 KB, 2024-01-01, <m4@inbox\.example>$/);

    const planSmaller = buildDryRunReport(
      input([plain({ appendLimit: 8000 }, sizes)], { maxMessageSize: 5000 }),
    );
    assert.deepEqual(kinds(planSmaller), ['warning:over-plan-limit']);
    assert.equal(only(planSmaller, 'over-plan-limit').count, 3);

    const appendSmaller = buildDryRunReport(
      input([plain({ appendLimit: 8000 }, sizes)], { maxMessageSize: 10000 }),
    );
    assert.deepEqual(kinds(appendSmaller), ['blocker:over-append-limit']);
    // Messages left out are not in the estimate.
    assert.equal(appendSmaller.summary.estimate.messages, 2);
  });

  it('notes a per-folder APPENDLIMIT (no value) once for the plan', () => {
    const r = buildDryRunReport(input([plain({ appendLimit: 'per-folder' })]));
    assert.deepEqual(kinds(r), ['info:append-limit-per-folder']);
  });

  it('blocks when the quota cannot hold what arrives, minus oversize skips and earlier copies', () => {
    const sizes = [{ size: 4000 }, { size: 4000 }, { size: 50_000 }];
    const fits = buildDryRunReport(
      input([plain({ quota: { usage: 1000, limit: 10_000 }, appendLimit: 40_000 }, sizes)]),
    );
    assert.deepEqual(
      kinds(fits),
      ['blocker:over-append-limit'],
      'the 50 KB message is left out, 8 KB fit in 9 KB free',
    );
    assert.equal(fits.accounts[0]!.quota?.incoming, 8000);

    const full = buildDryRunReport(
      input([plain({ quota: { usage: 3000, limit: 10_000 }, appendLimit: 40_000 }, sizes)]),
    );
    const p = only(full, 'quota-too-small');
    assert.equal(p.severity, 'blocker');
    assert.equal(p.bytes, 1000);

    const resumed = plain({ quota: { usage: 3000, limit: 10_000 }, appendLimit: 40_000 }, sizes);
    resumed.alreadyCopied = { messages: 1, bytes: 4000 };
    assert.deepEqual(kinds(buildDryRunReport(input([resumed]))), ['blocker:over-append-limit']);
  });

  it('finds flags the destination folder will not keep when it announces PERMANENTFLAGS', () => {
    const msgs = [
      { size: 10, flags: ['\\Seen', '$label1'] },
      { size: 10, flags: ['\\Seen', '\\Flagged', '$label1', 'Junk'] },
    ];
    const a = (perm: string[]) =>
      accountInput(
        U,
        sourceSide(U, [sourceFolder('INBOX', msgs), sourceFolder('INBOX.Nowy', msgs)]),
        destinationSide(U, [destinationFolder('INBOX', 0, perm)]),
        [copy('INBOX', 'INBOX', true), copy('INBOX.Nowy', 'Nowy')],
      );
    const noKeywords = buildDryRunReport(input([a(['\\Seen', '\\Answered', '\\Deleted', '\\Draft'])]));
    const p = only(noKeywords, 'flags-not-kept');
    assert.equal(p.severity, 'warning');
    assert.equal(p.count, 3);
    // A folder the run creates is judged by INBOX's PERMANENTFLAGS.
    assert.deepEqual(p.items, [
      '$label1: 4 (INBOX, INBOX.Nowy)',
      '\\Flagged: 2 (INBOX, INBOX.Nowy)',
      'Junk: 2 (INBOX, INBOX.Nowy)',
    ]);
    const anyKeyword = buildDryRunReport(input([a(['\\Seen', '\\Flagged', '\\*'])]));
    assert.deepEqual(kinds(anyKeyword), []);
  });

  it('says which keywords it could not verify when the destination announces no PERMANENTFLAGS', () => {
    const msgs = [
      { size: 10, flags: ['\\Seen', '$label1', '\\Recent'] },
      { size: 10, flags: ['$label1'] },
    ];
    const a = accountInput(
      U,
      sourceSide(U, [sourceFolder('INBOX', msgs)]),
      destinationSide(U, [destinationFolder('INBOX')]),
      [copy('INBOX', 'INBOX', true)],
    );
    const p = only(buildDryRunReport(input([a, { ...a, id: 'ewa@acme.example' }])), 'flags-unverified');
    assert.equal(p.severity, 'info');
    assert.equal(p.account, undefined, 'one note for the whole plan');
    assert.equal(p.count, 1);
    assert.deepEqual(p.items, [`${U}: $label1: 2 (INBOX)`, 'ewa@acme.example: $label1: 2 (INBOX)']);
  });

  it('dropped flags: system flags need to be listed, keywords need to be listed or \\*', () => {
    assert.deepEqual(keepable(['\\Seen', '\\Recent', 'Foo', '$Bar'], ['\\Seen', '$bar']).dropped, ['Foo']);
    assert.deepEqual(keepable(['\\Seen', '\\Draft', 'Foo'], ['\\Seen', '\\*']).dropped, ['\\Draft']);
  });

  it('an empty PERMANENTFLAGS is "not announced": keywords unverified, none said to be dropped', () => {
    const a = accountInput(
      U,
      sourceSide(U, [sourceFolder('INBOX', [{ size: 10, flags: ['\\Seen', '$label1'] }])]),
      destinationSide(U, [destinationFolder('INBOX', 0, [])]),
      [copy('INBOX', 'INBOX', true)],
    );
    const r = buildDryRunReport(input([a]));
    assert.deepEqual(kinds(r), ['info:flags-unverified']);
    assert.deepEqual(only(r, 'flags-unverified').items, [`${U}: $label1: 1 (INBOX)`]);
  });

  it('skipped folders: a warning when they hold mail, a note when empty', () => {
    const src = sourceSide(U, [
      sourceFolder('INBOX', [{ size: 1 }]),
      sourceFolder('INBOX.Stare', [{ size: 5 }]),
      sourceFolder('INBOX.Puste'),
    ]);
    const dst = destinationSide(U, [destinationFolder('INBOX')]);
    const skip = (source: string) => ({
      action: 'skip' as const,
      source,
      reason: 'excluded' as const,
      detail: 'matches exclude pattern',
    });
    const withMail = buildDryRunReport(
      input([
        accountInput(U, src, dst, [copy('INBOX', 'INBOX', true), skip('INBOX.Stare'), skip('INBOX.Puste')]),
      ]),
    );
    const p = only(withMail, 'folders-skipped');
    assert.equal(p.severity, 'warning');
    assert.equal(p.count, 2);
    assert.deepEqual(p.items, [
      'INBOX.Stare: excluded by the plan (matches exclude pattern), 1 message',
      'INBOX.Puste: excluded by the plan (matches exclude pattern), 0 messages',
    ]);
    const empty = buildDryRunReport(
      input([
        accountInput(U, src, dst, [
          copy('INBOX', 'INBOX', true),
          copy('INBOX.Stare', 'Stare'),
          skip('INBOX.Puste'),
        ]),
      ]),
    );
    assert.equal(only(empty, 'folders-skipped').severity, 'info');
  });

  it('a folder missing from a resolved plan is skipped, and said so', () => {
    const src = sourceSide(U, [
      sourceFolder('INBOX', [{ size: 1 }]),
      sourceFolder('INBOX.Nowy', [{ size: 1 }]),
    ]);
    const a = accountInput(
      U,
      src,
      destinationSide(U, [destinationFolder('INBOX')]),
      [copy('INBOX', 'INBOX', true)],
      {
        mapping: 'resolved',
      },
    );
    const p = only(buildDryRunReport(input([a])), 'folders-skipped');
    assert.match(p.items[0]!, /^INBOX\.Nowy: missing from the reviewed mapping/);
  });

  it('mapping warnings and merges into folders that hold mail, but not into our own earlier copies', () => {
    const src = sourceSide(U, [
      sourceFolder('INBOX', [{ size: 1 }]),
      sourceFolder('INBOX.Klienci', [{ size: 1 }, { size: 2 }]),
    ]);
    const dst = destinationSide(U, [destinationFolder('INBOX', 0), destinationFolder('Klienci', 7)]);
    const decisions = [
      copy('INBOX', 'INBOX', true),
      copy('INBOX.Klienci', 'Klienci', true, ['"Klienci" renamed']),
    ];
    const r = buildDryRunReport(input([accountInput(U, src, dst, decisions)]));
    assert.deepEqual(kinds(r), ['warning:mapping-warnings', 'warning:merge-into-existing']);
    assert.deepEqual(only(r, 'merge-into-existing').items, ['INBOX.Klienci -> Klienci: 7 + 2']);
    assert.deepEqual(only(r, 'mapping-warnings').items, ['INBOX.Klienci -> Klienci: "Klienci" renamed']);
    const ours = buildDryRunReport(
      input([accountInput(U, src, dst, decisions, { syncedFolders: ['INBOX.Klienci'] })]),
    );
    assert.deepEqual(kinds(ours), ['warning:mapping-warnings']);
  });

  it('a folder the source refuses to open is a blocker', () => {
    const broken = { ...sourceFolder('INBOX.Zepsuty'), error: 'EXAMINE failed: Mailbox is corrupted' };
    const a = accountInput(
      U,
      sourceSide(U, [sourceFolder('INBOX', [{ size: 1 }]), broken]),
      destinationSide(U, [destinationFolder('INBOX')]),
      [copy('INBOX', 'INBOX', true), copy('INBOX.Zepsuty', 'Zepsuty')],
    );
    const p = only(buildDryRunReport(input([a])), 'folder-unreadable');
    assert.equal(p.severity, 'blocker');
    assert.deepEqual(p.items, ['INBOX.Zepsuty: EXAMINE failed: Mailbox is corrupted']);
  });

  it('caps the listed items and counts the rest', () => {
    const many = Array.from({ length: MAX_ITEMS + 7 }, () => ({ size: 9000 }));
    const p = only(buildDryRunReport(input([plain({ appendLimit: 100 }, many)])), 'over-append-limit');
    assert.equal(p.count, MAX_ITEMS + 7);
    assert.equal(p.items.length, MAX_ITEMS);
    assert.equal(p.more, 7);
  });

  it('lists blockers first, then warnings, then notes', () => {
    const a = plain({ appendLimit: 'per-folder', quota: { usage: 0, limit: 10 } }, [
      { size: 500, flags: ['$x'] },
    ]);
    const r = buildDryRunReport(
      input([a], {
        addresses: [
          { address: 'x@acme.example', kind: 'alias' },
          { address: 'y@acme.example', kind: 'alias', target: 'nobody@acme.example' },
        ],
      }),
    );
    assert.deepEqual(kinds(r), [
      'blocker:quota-too-small',
      'blocker:address-unmapped',
      'warning:address-target-unknown',
      'info:append-limit-per-folder',
      'info:flags-unverified',
    ]);
    assert.equal(r.summary.blockers, 2);
    assert.equal(r.summary.warnings, 1);
    assert.equal(r.summary.accountsBlocked, 1);
  });
});
