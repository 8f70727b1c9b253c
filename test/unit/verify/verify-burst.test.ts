/**
 * How verify cuts an account's folder groups into bursts (src/verify/verify-burst.ts): in order,
 * within the folder and message bounds, a group bigger than the bound alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FolderGroup } from '../../../src/verify/plan-folders.js';
import { bursts } from '../../../src/verify/verify-burst.js';

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
