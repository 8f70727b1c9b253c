/**
 * Follows the run's events file (report/event-file-reporter.ts) as `tail -F` would: each `read()`
 * returns the lines written since the last one. A rotation (the writer renamed the full file to
 * `events.1.ndjson` and started a new one) is noticed by the file's inode: the rest of the old file
 * is read from where we were, then the new one from its start, so no event is lost or read twice.
 * The first read takes the previous file whole too, for the history of the run.
 */
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { eventFiles, type EventLine } from '../report/event-file-reporter.js';

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Reads `path` from `offset` to its current end. */
function readFrom(path: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const chunks: Buffer[] = [];
    let pos = offset;
    for (;;) {
      const buf = Buffer.allocUnsafe(256 * 1024);
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      chunks.push(buf.subarray(0, n));
      pos += n;
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/** Parses complete lines; a line that is not an event (cut short by a crash) is passed over. */
function parseLines(text: string): EventLine[] {
  const out: EventLine[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string')
        out.push(v as EventLine);
    } catch {
      /* a torn line */
    }
  }
  return out;
}

/** A reader of the events files of one state directory. */
export class EventTail {
  private readonly files: { current: string; previous: string };
  private ino: number | undefined;
  private offset = 0;
  /** Bytes after the last newline: a line still being written (kept as bytes: it may end mid-character). */
  private partial = Buffer.alloc(0);
  private started = false;

  constructor(stateDir: string) {
    this.files = eventFiles(stateDir);
  }

  /** The events written since the last call. */
  read(): EventLine[] {
    let text = '';
    if (!this.started) {
      this.started = true;
      text += readFrom(this.files.previous, 0).toString('utf8');
      if (text && !text.endsWith('\n')) text += '\n';
    }
    const cur = statOf(this.files.current);
    if (this.ino !== undefined && cur?.ino !== this.ino) {
      // Rotated: finish the old file (now the previous one) from where we stopped.
      const prev = statOf(this.files.previous);
      if (prev?.ino === this.ino)
        text += Buffer.concat([this.partial, readFrom(this.files.previous, this.offset)]).toString('utf8');
      if (text && !text.endsWith('\n')) text += '\n';
      this.ino = undefined;
      this.offset = 0;
      this.partial = Buffer.alloc(0);
    }
    if (cur) {
      if (this.ino === undefined) this.ino = cur.ino;
      if (cur.size < this.offset) {
        this.offset = 0; // truncated by hand: start over
        this.partial = Buffer.alloc(0);
      }
      const chunk = readFrom(this.files.current, this.offset);
      this.offset += chunk.length;
      const all = Buffer.concat([this.partial, chunk]);
      const cut = all.lastIndexOf(0x0a) + 1;
      text += all.subarray(0, cut).toString('utf8');
      this.partial = Buffer.from(all.subarray(cut));
    }
    return parseLines(text);
  }
}
