/**
 * A big folder verified a slice of UIDs at a time (src/verify/verify-slices.ts) says exactly what
 * the same folder compared whole says, finding for finding, while no read holds more than a slice
 * of it; and the checkpoint cuts the slices by its rows, whatever gaps the UIDs have.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MessageMeta } from '../../../src/core/messages.js';
import type { FolderReader } from '../../../src/core/ports.js';
import { cutRanges, MAX_UID } from '../../../src/core/uid-ranges.js';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import type { FolderGroup } from '../../../src/verify/plan-folders.js';
import type { VerifyMode } from '../../../src/verify/types.js';
import { verifyGroup, type GroupDeps } from '../../../src/verify/verify-folder-group.js';
import { verifyInSlices } from '../../../src/verify/verify-slices.js';

const ACCOUNT = 'biuro@firma.example';
const SRC_VALIDITY = 7;
const DST_VALIDITY = 9;
const DAY = Date.UTC(2024, 2, 1);

interface Stored {
  meta: MessageMeta;
  raw: Buffer;
}

function message(uid: number, id: string, flags: string[] = ['\\Seen'], date = DAY): Stored {
  const raw = Buffer.from(
    `Message-ID: <${id}>\r\nSubject: Faktura ${id}\r\nFrom: a@b.example\r\n\r\nTreść ${id}\r\n`,
  );
  return {
    meta: {
      uid,
      flags,
      internalDate: date,
      size: raw.length,
      identity: `mid:<${id}>:${raw.length}`,
      messageId: `<${id}>`,
    },
    raw,
  };
}

/** What a reader was asked: whole scans, and the size of every answer by UID ranges. */
interface Asked {
  wholeScans: number;
  rangeReads: number[];
}

/** A read-only side with one folder, answering as a server would (lean reads leave the identity out). */
function side(path: string, uidValidity: number, messages: Stored[], asked: Asked): FolderReader {
  const status = {
    messages: messages.length,
    uidNext: Math.max(0, ...messages.map((m) => m.meta.uid)) + 1,
    uidValidity,
  };
  const view = (m: Stored, identity: boolean): MessageMeta =>
    identity
      ? m.meta
      : {
          uid: m.meta.uid,
          flags: m.meta.flags,
          internalDate: m.meta.internalDate,
          size: m.meta.size,
          identity: '',
        };
  const check = (p: string) => assert.equal(p, path, `asked for folder ${p}`);
  return {
    capabilities: new Set(['IMAP4rev1']),
    listFolders: async () => ({ namespace: { prefix: '', delimiter: '/' }, folders: [] }),
    status: async () => status,
    examine: async (p) => {
      check(p);
      return { status, permanentFlags: [] };
    },
    scan: async (from = 1, opts = {}) => {
      asked.wholeScans++;
      return messages.filter((m) => m.meta.uid >= from).map((m) => view(m, opts.identity !== false));
    },
    scanUids: async (p, ranges, opts = {}) => {
      check(p);
      const found = messages
        .filter((m) => ranges.some(([a, b]) => m.meta.uid >= a && m.meta.uid <= b))
        .map((m) => view(m, opts.identity !== false));
      asked.rangeReads.push(found.length);
      return { path: p, status, messages: found };
    },
    scanFlags: async () => new Map(),
    fetchBodies: async (uids) =>
      new Map(
        messages
          .filter((m) => uids.includes(m.meta.uid))
          .map((m) => [
            m.meta.uid,
            {
              uid: m.meta.uid,
              raw: m.raw,
              flags: [...m.meta.flags],
              internalDate: new Date(m.meta.internalDate),
            },
          ]),
      ),
    quota: async () => undefined,
    close: async () => {},
  };
}

describe('verify in slices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailshift-verify-slices-'));
  const store = CheckpointStore.open(join(dir, 'state.sqlite'));
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // The source: UIDs 1-30 and 41-75 (an expunged run in between), 20 expunged after its copy.
  const source: Stored[] = [];
  for (let uid = 1; uid <= 75; uid++) {
    if ((uid > 30 && uid <= 40) || uid === 20) continue;
    source.push(message(uid, `m${uid}`));
  }
  // The destination: a copy of every message the run recorded at 100 + its UID, then the changes.
  const key = { account: ACCOUNT, folder: 'INBOX', uidvalidity: SRC_VALIDITY };
  const copied = [...source.map((m) => m.meta.uid), 20].filter(
    (uid) => uid <= 70 && ![25, 28, 45].includes(uid),
  );
  store.recordWithoutAppend(
    key,
    'INBOX',
    copied.map((uid) => ({
      meta: { ...message(uid, `m${uid}`).meta },
      state: 'present',
      destUid: 100 + uid,
      destUidValidity: DST_VALIDITY,
    })),
  );
  store.recordWithoutAppend(key, 'INBOX', [
    { meta: message(25, 'm25').meta, state: 'skipped', reason: 'over the size limit' },
    { meta: message(28, 'm28').meta, state: 'skipped', reason: 'over the size limit' },
  ]);
  store.commitBatch(key, DST_VALIDITY, [{ uid: 25, ok: false, reason: 'NO [LIMIT] message too big' }]);
  store.saveFolder({
    account: ACCOUNT,
    source_path: 'INBOX',
    dest_path: 'INBOX',
    uidvalidity: SRC_VALIDITY,
    uidnext: 71,
    messages: 60,
    highestmodseq: null,
    dest_uidvalidity: DST_VALIDITY,
  });
  const destination: Stored[] = copied
    .filter((uid) => uid !== 5) // deleted on the destination since
    .map((uid) => {
      const m = message(
        100 + uid,
        `m${uid}`,
        uid === 12 ? [] : ['\\Seen'],
        uid === 50 ? DAY + 3600_000 : DAY,
      );
      return m;
    });
  destination.push(message(145, 'm45')); // copied by another tool: no row names it
  destination.push(message(500, 'stranger')); // nothing of the source
  destination.push(message(501, 'm73')); // a new source message, copied by another tool
  destination.sort((a, b) => a.meta.uid - b.meta.uid);

  const group: FolderGroup = {
    destination: 'INBOX',
    exists: true,
    sources: ['INBOX'],
    messages: source.length,
    lastCopiedTo: new Map(),
  };
  const deps = (mode: VerifyMode): GroupDeps => ({
    account: ACCOUNT,
    store,
    mode,
    repair: { bareLf: 'repair', nulBytes: 'repair' },
  });
  const readers = () => {
    const asked = {
      src: { wholeScans: 0, rangeReads: [] as number[] },
      dst: { wholeScans: 0, rangeReads: [] as number[] },
    };
    return {
      asked,
      src: side('INBOX', SRC_VALIDITY, source, asked.src),
      dst: side('INBOX', DST_VALIDITY, destination, asked.dst),
    };
  };

  for (const mode of [{ kind: 'headers' }, { kind: 'deep' }] as VerifyMode[]) {
    it(`finds what a whole comparison finds, a slice at a time (${mode.kind})`, async () => {
      const whole = readers();
      const [expected] = await verifyGroup(whole.src, whole.dst, group, deps(mode));
      const sliced = readers();
      const [got] = await verifyInSlices(sliced.src, sliced.dst, group, { ...deps(mode), sliceMessages: 8 });
      assert.deepEqual(got, expected);

      // What both say, so that agreeing on nothing cannot pass.
      const c = got!.counts;
      assert.equal(c.source, 64);
      assert.equal(c.destination, destination.length);
      assert.equal(c.matched, 57);
      assert.equal(c.matchedByIdentity, 2);
      assert.deepEqual(
        got!.missing.map((m) => [m.uid, m.cause]),
        [
          [5, 'deleted-on-destination'],
          [25, 'copy-failed'],
        ],
      );
      assert.deepEqual(
        got!.skipped.map((m) => m.uid),
        [28],
      );
      assert.deepEqual(
        got!.notYetCopied.map((m) => m.uid),
        [71, 72, 74, 75],
      );
      assert.deepEqual(
        got!.extra.map((m) => [m.uid, m.cause]),
        [
          [120, 'expunged-on-source'],
          [500, 'not-from-source'],
        ],
      );
      assert.deepEqual(
        got!.flagDifferences.map((f) => f.source.uid),
        [12],
      );
      assert.deepEqual(
        got!.dateDifferences.map((f) => f.source.uid),
        [50],
      );
      if (mode.kind === 'deep') assert.equal(c.contentChecked, 57);

      // Never a whole folder at once: slices of 8 rows, the last one with what arrived since.
      assert.equal(sliced.asked.src.wholeScans + sliced.asked.dst.wholeScans, 0);
      assert.ok(
        sliced.asked.src.rangeReads.length >= 7,
        `${sliced.asked.src.rangeReads.length} source reads`,
      );
      assert.ok(Math.max(...sliced.asked.src.rangeReads) <= 8 + 5, `${sliced.asked.src.rangeReads}`);
      assert.ok(Math.max(...sliced.asked.dst.rangeReads) <= 8, `${sliced.asked.dst.rangeReads}`);
    });
  }

  it('compares a folder no run has recorded whole', async () => {
    const fresh = readers();
    const [got] = await verifyInSlices(fresh.src, fresh.dst, group, {
      ...deps({ kind: 'headers' }),
      account: 'nowy@firma.example',
      sliceMessages: 8,
    });
    assert.equal(got!.counts.source, 64);
    assert.equal(fresh.asked.src.wholeScans, 1);
    assert.deepEqual(fresh.asked.src.rangeReads, [0], 'opened only: no slice read');
  });
});

describe('slice boundaries', () => {
  it('cuts the rows every N, whatever gaps the UIDs have', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-slice-starts-'));
    const store = CheckpointStore.open(join(dir, 'state.sqlite'));
    try {
      const key = { account: ACCOUNT, folder: 'INBOX', uidvalidity: 3 };
      const uids = [1, 2, 3, 900, 901, 5000, 5001, 5002, 70000];
      store.recordWithoutAppend(
        key,
        'INBOX',
        uids.map((uid) => ({ meta: message(uid, `x${uid}`).meta, state: 'present' as const, destUid: uid })),
      );
      assert.deepEqual(store.sliceStarts(ACCOUNT, 'INBOX', 3, 4), [901, 70000]);
      assert.deepEqual(store.sliceStarts(ACCOUNT, 'INBOX', 3, 9), []);
      assert.deepEqual(store.sliceStarts(ACCOUNT, 'INBOX', 4, 2), []);
      assert.deepEqual(
        store.verifyRows(ACCOUNT, 'INBOX', 3, [900, 5001]).map((r) => r.uid),
        [900, 901, 5000, 5001],
      );
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('covers every UID once, from 1 to the largest', () => {
    assert.deepEqual(cutRanges(1, [900, 70000]), [
      [1, 899],
      [900, 69999],
      [70000, MAX_UID],
    ]);
    assert.deepEqual(cutRanges(1, []), [[1, MAX_UID]]);
  });
});
