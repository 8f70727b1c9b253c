/**
 * The live model's folders: a big folder is copied a slice at a time and starts once per slice
 * (folder-copy.ts), so what it has to copy adds up and what it copied is kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyTotals, type EngineEvent } from '../../../src/core/events.js';
import { LiveModel } from '../../../src/dashboard/live-model.js';
import type { EventLine } from '../../../src/report/event-file-reporter.js';

const line = (e: EngineEvent, second: number): EventLine =>
  ({ ...e, time: new Date(Date.UTC(2026, 11, 4, 9, 0, second)).toISOString(), pid: 1 }) as EventLine;

const start = (toCopy: number): EngineEvent => ({
  type: 'folder-start',
  account: 'kontakt',
  folder: 'INBOX',
  destination: 'INBOX',
  toCopy,
  bytes: toCopy * 1000,
  pipes: 2,
});
const progress = (messages: number): EngineEvent => ({
  type: 'progress',
  account: 'kontakt',
  folder: 'INBOX',
  messages,
  bytes: messages * 1000,
});

describe('live model, a folder copied in slices', () => {
  it('adds up each slice it has to copy and keeps what it copied', () => {
    const model = new LiveModel();
    [start(40), progress(40), start(50), progress(20)].forEach((e, i) => model.apply(line(e, i)));
    const inbox = model
      .view(Date.UTC(2026, 11, 4, 9, 1))
      .accounts.get('kontakt')
      ?.folders.get('INBOX');
    assert.deepEqual(inbox, { toCopy: 90, bytes: 90_000, copied: 60, copiedBytes: 60_000, done: false });
  });

  it('starts afresh once the folder is done (the next pass)', () => {
    const model = new LiveModel();
    const done: EngineEvent = {
      type: 'folder-done',
      account: 'kontakt',
      folder: 'INBOX',
      destination: 'INBOX',
      totals: emptyTotals(),
      unchanged: false,
    };
    [start(40), progress(40), done, start(3)].forEach((e, i) => model.apply(line(e, i)));
    const inbox = model
      .view(Date.UTC(2026, 11, 4, 9, 1))
      .accounts.get('kontakt')
      ?.folders.get('INBOX');
    assert.deepEqual(inbox, { toCopy: 3, bytes: 3000, copied: 0, copiedBytes: 0, done: false });
  });
});
