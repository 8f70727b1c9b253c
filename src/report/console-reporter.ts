/**
 * Human progress on stderr: on a terminal one status line redrawn in place (accounts, folders,
 * messages and bytes done of total, rate, time left); otherwise a plain line per folder.
 */
import type { EngineEvent, Reporter } from '../core/events.js';
import { formatDuration, formatSize } from '../core/units.js';
import { terminalField } from '../shared/terminal-text.js';
import { driftText } from './drift-text.js';

/** Folder names and server words come from strangers: each stays one line, without controls. */
const f = terminalField;

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** Progress for people. */
export class ConsoleReporter implements Reporter {
  private accounts = { total: 0, done: 0 };
  private folders = { total: 0, done: 0 };
  private messages = { total: 0, done: 0 };
  private bytes = { total: 0, done: 0 };
  private readonly started = Date.now();
  private lastDraw = 0;
  private lineShown = false;

  constructor(private readonly out: Out = process.stderr) {}

  emit(e: EngineEvent): void {
    switch (e.type) {
      case 'run-start':
        this.accounts.total = e.accounts;
        return;
      case 'account-planned':
        this.folders.total += e.folders;
        this.messages.total += e.messages;
        this.bytes.total += e.bytes;
        return this.draw();
      case 'progress':
        this.messages.done += e.messages;
        this.bytes.done += e.bytes;
        return this.draw();
      case 'folder-done':
        this.folders.done++;
        if (!this.out.isTTY && !e.unchanged) {
          const t = e.totals;
          this.line(
            `${f(e.account)}  ${f(e.folder)} -> ${f(e.destination)}: ${t.copied} copied, ${t.present} already there` +
              (t.skipped ? `, ${t.skipped} skipped` : '') +
              (t.failed ? `, ${t.failed} FAILED` : '') +
              (t.flagsUpdated ? `, ${t.flagsUpdated} flag updates` : ''),
          );
        }
        return this.draw();
      case 'folder-failed':
        this.folders.done++;
        return this.line(`${f(e.account)}  folder ${f(e.folder)} failed: ${f(e.error)}`);
      case 'message-failed':
        return this.line(`${f(e.account)}  ${f(e.folder)} UID ${e.uid} not copied: ${f(e.reason)}`);
      case 'account-failed':
        return this.line(
          `${f(e.account)}  account stopped: ${f(e.error)}${e.hint ? `\n  -> ${f(e.hint)}` : ''}`,
        );
      case 'drift':
        return this.line(`${f(e.account)}  ${f(driftText(e.drift))}`);
      case 'account-unverified':
        return this.line(`${f(e.account)}  NOT COMPLETE: ${f(e.problem)}`);
      case 'account-done':
        this.accounts.done++;
        return this.draw(true);
      case 'run-done':
        return this.clear();
      default:
        return;
    }
  }

  /** The status line's text (exported for tests through `statusLine`). */
  statusLine(): string {
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? this.messages.done / secs : 0;
    const left = rate > 0 ? (this.messages.total - this.messages.done) / rate : Number.NaN;
    return (
      `accounts ${this.accounts.done}/${this.accounts.total}  folders ${this.folders.done}/${this.folders.total}  ` +
      `messages ${this.messages.done}/${this.messages.total}  ${formatSize('en', this.bytes.done)}/${formatSize('en', this.bytes.total)}  ` +
      `${rate.toFixed(0)} msg/s  ${Number.isNaN(left) ? '' : `${formatDuration('en', left)} left`}`
    ).trimEnd();
  }

  private draw(force = false): void {
    if (!this.out.isTTY) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.out.write(`\r\x1b[2K${this.statusLine()}`);
    this.lineShown = true;
  }

  private clear(): void {
    if (this.lineShown) this.out.write('\r\x1b[2K');
    this.lineShown = false;
  }

  private line(s: string): void {
    this.clear();
    this.out.write(`${s}\n`);
    this.draw(true);
  }
}
