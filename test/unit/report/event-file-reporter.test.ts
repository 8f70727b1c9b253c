/**
 * The events file: one JSON line per engine event with its time, mode 0600, bounded by rotation to
 * `events.1.ndjson`; a write failure turns it off once instead of stopping the run. Followed by the
 * dashboard's tail: every event once, in order, across rotations and half-written lines.
 */
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../../src/core/events.js';
import { EventTail } from '../../../src/dashboard/event-tail.js';
import { eventFiles, EventFileReporter } from '../../../src/report/event-file-reporter.js';

const progress = (i: number): EngineEvent => ({
  type: 'progress',
  account: 'kontakt@acme.example',
  folder: 'Faktury/2024 \u017c\u00f3\u0142w',
  messages: i,
  bytes: i * 100,
});

describe('EventFileReporter', () => {
  it('appends one timed JSON line per event, readable by its owner only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-events-'));
    const r = new EventFileReporter(dir, { now: () => new Date('2026-12-02T10:00:00Z') });
    r.emit({ type: 'run-start', accounts: 2 });
    r.emit(progress(3));
    r.close();
    const { current } = eventFiles(dir);
    const lines = readFileSync(current, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], {
      time: '2026-12-02T10:00:00.000Z',
      pid: process.pid,
      type: 'run-start',
      accounts: 2,
    });
    assert.equal(lines[1].folder, 'Faktury/2024 \u017c\u00f3\u0142w');
    assert.equal(statSync(current).mode & 0o777, 0o600);
  });

  it('rotates past maxBytes, keeping one previous file, and the tail reads every event once, in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-events-rot-'));
    const r = new EventFileReporter(dir, { maxBytes: 2000 });
    const tail = new EventTail(dir);
    const seen: number[] = [];
    const read = () => {
      for (const e of tail.read()) if (e.type === 'progress') seen.push(e.messages);
    };
    for (let i = 1; i <= 100; i++) {
      r.emit(progress(i));
      if (i % 7 === 0) read(); // the dashboard polls while the run writes and rotates
    }
    read();
    r.close();
    assert.deepEqual(
      seen,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    const { current, previous } = eventFiles(dir);
    assert.ok(statSync(current).size <= 2000 && statSync(previous).size <= 2000, 'bounded');
    // A dashboard started later sees the history the two files still hold, in order.
    const late = new EventTail(dir).read().map((e) => (e.type === 'progress' ? e.messages : -1));
    assert.deepEqual(
      late,
      Array.from({ length: late.length }, (_, i) => 100 - late.length + 1 + i),
    );
    assert.ok(late.length >= 10, `${late.length} events kept`);
  });

  it('the tail waits for the end of a half-written line, split inside a character', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-events-partial-'));
    const { current } = eventFiles(dir);
    const line = Buffer.from(`${JSON.stringify({ time: 't', pid: 1, ...progress(1) })}\n`);
    const cut = line.indexOf(Buffer.from('\u017c')) + 1; // inside the two bytes of one letter
    writeFileSync(current, line.subarray(0, cut));
    const tail = new EventTail(dir);
    assert.deepEqual(tail.read(), []);
    appendFileSync(current, line.subarray(cut));
    const [e] = tail.read();
    assert.equal(e?.type === 'progress' && e.folder, 'Faktury/2024 \u017c\u00f3\u0142w');
    appendFileSync(current, 'not json\n');
    assert.deepEqual(tail.read(), [], 'a torn line is passed over');
  });

  it('a write that fails turns the reporter off once, without throwing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-events-ro-'));
    chmodSync(dir, 0o500);
    const errors: Error[] = [];
    const r = new EventFileReporter(dir, { onError: (e) => errors.push(e) });
    try {
      r.emit(progress(1));
      r.emit(progress(2));
    } finally {
      chmodSync(dir, 0o700);
    }
    // root ignores directory permissions: then the write simply succeeds.
    if (process.getuid?.() !== 0) assert.equal(errors.length, 1);
    else assert.ok(errors.length <= 1);
  });
});
