/**
 * The run's events as NDJSON in the state directory (`events.ndjson`), one line per engine event
 * with its time, for the dashboard to follow while a run goes on and to read after it. The file is
 * bounded: past `maxBytes` it is renamed to `events.1.ndjson` (replacing the previous one) and a new
 * one is started, so a sync of weeks keeps at most two files' worth.
 *
 * Writes are synchronous appends without fsync: the file is a view of the run, not its record (the
 * checkpoint database is), and a line lost to a power cut costs nothing. A write that fails (disk
 * full) turns the reporter off with one call to `onError`; the run goes on and stops, if it must,
 * at its own next checkpoint.
 */
import { closeSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent, Reporter } from '../core/events.js';

/** The events file of a state directory. */
export const EVENTS_FILE = 'events.ndjson';
/** Where the previous events file goes when the current one is full. */
export const EVENTS_FILE_OLD = 'events.1.ndjson';

/** Paths of the events files in a state directory. */
export function eventFiles(stateDir: string): { current: string; previous: string } {
  return { current: join(stateDir, EVENTS_FILE), previous: join(stateDir, EVENTS_FILE_OLD) };
}

/** One line of the file: an engine event with when it happened (ISO 8601) and which process wrote it. */
export type EventLine = EngineEvent & { time: string; pid: number };

/** Options of the reporter. */
export interface EventFileOptions {
  /** Size after which the file is rotated (default 8 MiB: about 50,000 progress events). */
  maxBytes?: number;
  /** Called once if writing fails; the reporter then stops writing. */
  onError?: (err: Error) => void;
  now?: () => Date;
}

/** Appends every event to the state directory's events file. */
export class EventFileReporter implements Reporter {
  private fd: number | undefined;
  private size = 0;
  private readonly files: { current: string; previous: string };
  private readonly maxBytes: number;
  private failed = false;

  constructor(
    stateDir: string,
    private readonly opts: EventFileOptions = {},
  ) {
    this.files = eventFiles(stateDir);
    this.maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  }

  emit(e: EngineEvent): void {
    if (this.failed) return;
    const time = (this.opts.now?.() ?? new Date()).toISOString();
    const line = `${JSON.stringify({ time, pid: process.pid, ...e })}\n`;
    try {
      this.open();
      if (this.size > 0 && this.size + Buffer.byteLength(line) > this.maxBytes) this.rotate();
      this.size += writeSync(this.fd as number, line);
    } catch (err) {
      this.failed = true;
      this.close();
      this.opts.onError?.(err as Error);
    }
  }

  /** Closes the file (the next event reopens it). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    if (this.fd !== undefined) return;
    // 0600 like the log: events name accounts, folders and the servers' words.
    this.fd = openSync(this.files.current, 'a', 0o600);
    this.size = statSync(this.files.current).size;
  }

  private rotate(): void {
    this.close();
    renameSync(this.files.current, this.files.previous);
    this.open();
  }
}
