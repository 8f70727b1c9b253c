/**
 * How verify cuts an account's folder groups into bursts (src/verify/verify-burst.ts): in order,
 * within the folder and message bounds, a group bigger than the bound alone; and how a burst reads
 * the destination without identity header fields, then reads them for the messages that need them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageMeta } from '../../../src/core/messages.js';
import type { FolderReader, FolderScan, ScanOptions } from '../../../src/core/ports.js';
import type { UidRange } from '../../../src/core/uid-ranges.js';
import type { CheckpointStore, MessageRow } from '../../../src/state/checkpoint-store.js';
import type { FolderGroup } from '../../../src/verify/plan-folders.js';
import { bursts, verifyBurst } from '../../../src/verify/verify-burst.js';

const group = (name: string, messages: number, sources = [name]): FolderGroup => ({
  destination: name,
  exists: true,
  sources,
  messages,
  lastCopiedTo: new Map(),
});

const names = (bs: FolderGroup[][]) => bs.map((b) => b.map((g) => g.destination).join(','));

describe('verify bursts', () => {
  it('keeps the order and puts a group bigger than the bound alone', () => {
    const groups = [group('INBOX', 30000), group('Sent', 600), group('Archive', 500), group('Trash', 10)];
    assert.deepEqual(names(bursts(groups, { folders: 25, messages: 1000 })), [
      'INBOX',
      'Sent',
      'Archive,Trash',
    ]);
  });

  it('counts every folder a burst opens on both sides (each source and the destination)', () => {
    const groups = [group('A', 1, ['A1', 'A2']), group('B', 1), group('C', 1), group('D', 1)];
    // A opens 3 folders, B, C and D 2 each: at most 4 per burst.
    assert.deepEqual(names(bursts(groups, { folders: 4, messages: 1000 })), ['A', 'B,C', 'D']);
  });

  it('makes no burst of no groups', () => {
    assert.deepEqual(bursts([]), []);
  });
});

describe('verify burst reading the destination lean', () => {
  const message = (uid: number, id: string, lean = false): MessageMeta => ({
    uid,
    flags: ['\\Seen'],
    internalDate: Date.UTC(2024, 0, 1),
    size: 100,
    identity: lean ? '' : `mid:<${id}>:100`,
    ...(lean ? {} : { messageId: `<${id}>` }),
  });
  /** A read-only side holding `messages` in INBOX (UIDVALIDITY `uidValidity`), recording its scans. */
  function side(
    uidValidity: number,
    messages: [number, string][],
    asked: { scans: unknown[]; uids: number[][][] },
  ) {
    const status = { messages: messages.length, uidNext: 100, uidValidity };
    const reader: FolderReader = {
      capabilities: new Set(['IMAP4rev1']),
      listFolders: async () => ({ namespace: { prefix: '', delimiter: '/' }, folders: [] }),
      status: async () => status,
      examine: async () => ({ status, permanentFlags: [] }),
      scan: async () => messages.map(([uid, id]) => message(uid, id)),
      scanFlags: async () => new Map(),
      fetchBodies: async () => new Map(),
      quota: async () => undefined,
      close: async () => {},
      scanFolders: async (paths: readonly string[], opts?: Pick<ScanOptions, 'identity'>) => {
        asked.scans.push(opts ?? {});
        const lean = opts?.identity === false;
        return paths.map((path): FolderScan => ({
          path,
          status,
          messages: messages.map(([u, id]) => message(u, id, lean)),
        }));
      },
      scanUids: async (path: string, ranges: readonly UidRange[]) => {
        const uids = messages
          .map(([u]) => u)
          .filter((u) => ranges.some(([from, to]) => u >= from && u <= to));
        asked.uids.push(ranges.map(([from, to]) => [from, to]));
        return {
          path,
          status,
          messages: messages.filter(([u]) => uids.includes(u)).map(([u, id]) => message(u, id)),
        };
      },
    };
    return reader;
  }

  it('reads identities only of the messages no checkpoint row names, and matches and names them', async () => {
    const srcAsked = { scans: [] as unknown[], uids: [] as number[][][] };
    const dstAsked = { scans: [] as unknown[], uids: [] as number[][][] };
    const src = side(
      1,
      [
        [1, 'one@x'],
        [2, 'two@x'],
      ],
      srcAsked,
    );
    // 10 is the run's copy of 1, 11 a copy of 2 another tool made, 12 a stranger's message.
    const dst = side(
      7,
      [
        [10, 'one@x'],
        [11, 'two@x'],
        [12, 'stranger@x'],
      ],
      dstAsked,
    );
    const row = {
      account: 'a',
      folder: 'INBOX',
      uidvalidity: 1,
      uid: 1,
      state: 'copied',
      identity: 'mid:<one@x>:100',
      size: 100,
      internal_date: 0,
      flags: '["\\\\Seen"]',
      dest_folder: 'INBOX',
      dest_uidvalidity: 7,
      dest_uid: 10,
      batch_id: null,
      reason: null,
      dropped_flags: null,
      repaired: null,
    } as MessageRow;
    const store = { verifyRows: () => [row], folder: () => undefined } as unknown as CheckpointStore;
    const [result] = await verifyBurst(src, dst, [group('INBOX', 2)], {
      account: 'a',
      store,
      mode: { kind: 'headers' },
      repair: { bareLf: 'repair', nulBytes: 'repair' },
    });
    assert.deepEqual(dstAsked.scans, [{ identity: false }], 'the destination is scanned lean');
    assert.deepEqual(srcAsked.scans, [{}], 'the source is scanned whole');
    assert.deepEqual(dstAsked.uids, [[[11, 12]]], 'identities of the two messages no row names');
    assert.equal(result!.counts.matched, 2);
    assert.equal(result!.counts.matchedByCheckpoint, 1);
    assert.equal(result!.counts.matchedByIdentity, 1);
    assert.deepEqual(
      result!.extra.map((x) => [x.uid, x.messageId]),
      [[12, '<stranger@x>']],
    );
  });
});
