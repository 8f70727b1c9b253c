/**
 * The pure matching of verify: checkpoint UIDs first, identities as a multiset for the rest, and
 * the reason of every message left over.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageMeta } from '../../../src/core/messages.js';
import type { MessageRow } from '../../../src/state/checkpoint-store.js';
import type { MessageState } from '../../../src/core/messages.js';
import { matchMessages, unnamedByCheckpoint, type SourceSide } from '../../../src/verify/match-messages.js';

function meta(uid: number, identity: string, extra: Partial<MessageMeta> = {}): MessageMeta {
  return { uid, identity, flags: [], internalDate: Date.UTC(2024, 0, uid), size: 100, ...extra };
}

function row(uid: number, state: MessageState, extra: Partial<MessageRow> = {}): MessageRow {
  return {
    account: 'a',
    folder: 'INBOX',
    uidvalidity: 1,
    uid,
    state,
    identity: `id${uid}`,
    size: 100,
    internal_date: 0,
    flags: '[]',
    dest_folder: 'INBOX',
    dest_uidvalidity: 7,
    dest_uid: null,
    batch_id: null,
    reason: null,
    dropped_flags: null,
    repaired: null,
    ...extra,
  };
}

function source(
  messages: MessageMeta[],
  rows: MessageRow[] = [],
  extra: Partial<SourceSide> = {},
): SourceSide {
  return { folder: 'INBOX', uidValidity: 1, messages, rows, ...extra };
}

const dest = (messages: MessageMeta[], uidValidity = 7) => ({ folder: 'INBOX', uidValidity, messages });

describe('matchMessages', () => {
  it('trusts the checkpoint UID even when a repair changed the identity', () => {
    const out = matchMessages({
      sources: [source([meta(1, 'id1')], [row(1, 'copied', { dest_uid: 10, repaired: 'line endings' })])],
      destination: dest([meta(10, 'id1-repaired')]),
    });
    assert.equal(out.sources[0]!.pairs.length, 1);
    assert.equal(out.sources[0]!.pairs[0]!.via, 'checkpoint');
    assert.equal(out.extra.length, 0);
  });

  it('matches by identity what no row names (already on the destination before the run)', () => {
    const out = matchMessages({
      sources: [source([meta(1, 'x'), meta(2, 'y')])],
      destination: dest([meta(5, 'y'), meta(6, 'x')]),
    });
    assert.deepEqual(
      out.sources[0]!.pairs.map((p) => [p.source.uid, p.dest.uid, p.via]),
      [
        [1, 6, 'identity'],
        [2, 5, 'identity'],
      ],
    );
  });

  it('needs two copies for an exact duplicate: identities are a multiset', () => {
    const out = matchMessages({
      sources: [source([meta(1, 'dup'), meta(2, 'dup')], [], { syncedUidNext: 3 })],
      destination: dest([meta(9, 'dup')]),
    });
    assert.equal(out.sources[0]!.pairs.length, 1);
    assert.deepEqual(
      out.sources[0]!.missing.map((m) => [m.meta.uid, m.cause]),
      [[2, 'not-recorded']],
    );
  });

  it('names the copy deleted on the destination even when its exact duplicate is still there', () => {
    const out = matchMessages({
      sources: [
        source(
          [meta(1, 'dup'), meta(2, 'dup')],
          [row(1, 'copied', { dest_uid: 11 }), row(2, 'copied', { dest_uid: 12 })],
          { syncedUidNext: 3 },
        ),
      ],
      destination: dest([meta(12, 'dup')]),
    });
    const o = out.sources[0]!;
    assert.deepEqual(
      o.pairs.map((p) => [p.source.uid, p.dest.uid]),
      [[2, 12]],
    );
    assert.deepEqual(o.missing, [
      { meta: meta(1, 'dup'), cause: 'deleted-on-destination', recordedDestUid: 11 },
    ]);
  });

  it('classifies what is left: failed, skipped, not recorded, not yet copied, in doubt', () => {
    const out = matchMessages({
      sources: [
        source(
          [meta(1, 'a'), meta(2, 'b'), meta(3, 'c'), meta(4, 'd'), meta(5, 'e'), meta(6, 'f')],
          [
            row(1, 'failed', { reason: 'NO [LIMIT] too big' }),
            row(2, 'skipped', { reason: 'over maxMessageSize' }),
            row(6, 'appending'),
          ],
          { syncedUidNext: 5 },
        ),
      ],
      destination: dest([]),
    });
    const o = out.sources[0]!;
    assert.deepEqual(
      o.missing.map((m) => [m.meta.uid, m.cause, m.reason]),
      [
        [1, 'copy-failed', 'NO [LIMIT] too big'],
        [3, 'not-recorded', undefined],
        [4, 'not-recorded', undefined],
      ],
    );
    assert.deepEqual(
      o.skipped.map((s) => [s.meta.uid, s.reason]),
      [[2, 'over maxMessageSize']],
    );
    assert.deepEqual(
      o.notYetCopied.map((m) => m.uid),
      [5, 6],
    );
  });

  it('counts everything as not yet copied in a folder no run has finished', () => {
    const out = matchMessages({ sources: [source([meta(1, 'a'), meta(2, 'b')])], destination: dest([]) });
    assert.deepEqual(
      out.sources[0]!.notYetCopied.map((m) => m.uid),
      [1, 2],
    );
    assert.equal(out.sources[0]!.missing.length, 0);
  });

  it('reports copied messages of a missing destination folder as lost with that cause', () => {
    const out = matchMessages({
      sources: [
        source([meta(1, 'a'), meta(2, 'b')], [row(1, 'copied', { dest_uid: 3 })], { syncedUidNext: 2 }),
      ],
      destination: undefined,
    });
    const o = out.sources[0]!;
    assert.deepEqual(
      o.missing.map((m) => [m.meta.uid, m.cause]),
      [[1, 'destination-folder-missing']],
    );
    assert.deepEqual(
      o.notYetCopied.map((m) => m.uid),
      [2],
    );
    assert.deepEqual(out.extra, []);
  });

  it('ignores checkpoint UIDs of a destination folder recreated with a new UIDVALIDITY', () => {
    const out = matchMessages({
      sources: [source([meta(1, 'a')], [row(1, 'copied', { dest_uid: 4 })], { syncedUidNext: 2 })],
      destination: dest([meta(4, 'other'), meta(1, 'a')], 8),
    });
    assert.deepEqual(
      out.sources[0]!.pairs.map((p) => [p.dest.uid, p.via]),
      [[1, 'identity']],
    );
    assert.deepEqual(
      out.extra.map((x) => [x.meta.uid, x.cause]),
      [[4, 'not-from-source']],
    );
  });

  it('tells extra messages the run copied from a since-deleted source message from strangers', () => {
    const out = matchMessages({
      sources: [
        source([meta(2, 'b')], [row(1, 'copied', { dest_uid: 10 }), row(2, 'copied', { dest_uid: 11 })]),
      ],
      destination: dest([meta(10, 'a'), meta(11, 'b'), meta(12, 'z')]),
    });
    assert.deepEqual(
      out.extra.map((x) => [x.meta.uid, x.cause, x.sourceUid]),
      [
        [10, 'expunged-on-source', 1],
        [12, 'not-from-source', undefined],
      ],
    );
  });

  it('matches several source folders merged into one destination without using a copy twice', () => {
    const out = matchMessages({
      sources: [
        source([meta(1, 'same')], [], { folder: 'A' }),
        source([meta(1, 'same'), meta(2, 'b')], [], { folder: 'B' }),
      ],
      destination: dest([meta(1, 'same'), meta(2, 'b')]),
    });
    assert.equal(out.sources[0]!.pairs.length, 1);
    assert.deepEqual(
      out.sources[1]!.pairs.map((p) => p.source.uid),
      [2],
    );
    assert.deepEqual(
      out.sources[1]!.notYetCopied.map((m) => m.uid),
      [1],
    );
  });
  it('matches the same whatever order the destination and the state list messages in', () => {
    const rows = [row(1, 'copied', { dest_uid: 12 }), row(2, 'copied', { dest_uid: 11 }), row(3, 'copied')];
    const messages = [meta(1, 'id1'), meta(2, 'id2'), meta(3, 'dup'), meta(4, 'dup')];
    const copies = [meta(11, 'id2'), meta(12, 'id1'), meta(13, 'dup'), meta(14, 'other')];
    const sorted = matchMessages({ sources: [source(messages, rows)], destination: dest(copies) });
    const shuffled = matchMessages({
      sources: [source(messages, [...rows].reverse())],
      destination: dest([copies[2]!, copies[0]!, copies[3]!, copies[1]!]),
    });
    for (const out of [sorted, shuffled]) {
      const pairs = out.sources[0]!.pairs.map((p) => [p.source.uid, p.dest.uid, p.via]);
      assert.deepEqual(pairs, [
        [1, 12, 'checkpoint'],
        [2, 11, 'checkpoint'],
        [3, 13, 'identity'],
      ]);
      // One copy of the duplicate: the second source message with its identity is not there.
      assert.deepEqual(
        out.sources[0]!.notYetCopied.map((m) => m.uid),
        [4],
      );
      assert.deepEqual(
        out.extra.map((x) => x.meta.uid),
        [14],
      );
    }
  });
});

describe('unnamedByCheckpoint', () => {
  it('leaves out only the copies that rows of messages still on the source name, as matching claims them', () => {
    const input = {
      sources: [
        source(
          [meta(1, 'a'), meta(2, 'b'), meta(3, 'c'), meta(5, 'e')],
          [
            row(1, 'copied', { dest_uid: 10 }),
            row(2, 'copied', { dest_uid: 11, dest_uidvalidity: 6 }), // an older destination folder
            row(4, 'copied', { dest_uid: 13 }), // its source message was expunged
            row(5, 'appending', { dest_uid: 14 }), // in doubt: not a claim
          ],
        ),
      ],
      destination: dest([meta(14, ''), meta(13, ''), meta(12, ''), meta(11, ''), meta(10, '')]),
    };
    assert.deepEqual(
      unnamedByCheckpoint(input).map((m) => m.uid),
      [11, 12, 13, 14],
    );
    // The same set is what matching leaves to identities: the claimed copy is 10 alone.
    const out = matchMessages(input);
    assert.deepEqual(
      out.sources[0]!.pairs.map((p) => [p.source.uid, p.dest.uid, p.via]),
      [[1, 10, 'checkpoint']],
    );
  });

  it('names nothing of a folder that does not exist', () => {
    assert.deepEqual(
      unnamedByCheckpoint({
        sources: [source([meta(1, 'a')], [row(1, 'copied', { dest_uid: 10 })])],
        destination: undefined,
      }),
      [],
    );
  });
});
