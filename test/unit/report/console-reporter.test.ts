/**
 * Progress for people: one redrawn line on a terminal, a plain line per folder otherwise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyTotals } from '../../../src/core/events.js';
import { ConsoleReporter } from '../../../src/report/console-reporter.js';

function sink(isTTY: boolean) {
  const out = { isTTY, text: '', write: (s: string) => (out.text += s) };
  return out;
}

const folderDone = (copied: number) => ({
  type: 'folder-done' as const,
  account: 'kontakt@acme.example',
  folder: 'INBOX.Wysłane',
  destination: 'Sent',
  totals: { ...emptyTotals(), copied },
  unchanged: false,
});

describe('ConsoleReporter', () => {
  it('redraws one status line on a terminal with totals, rate and time left', () => {
    const out = sink(true);
    const r = new ConsoleReporter(out);
    r.emit({ type: 'run-start', accounts: 2 });
    r.emit({ type: 'account-planned', account: 'a', folders: 3, messages: 100, bytes: 2048 });
    r.emit({ type: 'progress', account: 'a', folder: 'INBOX', messages: 40, bytes: 1024 });
    assert.match(r.statusLine(), /accounts 0\/2 {2}folders 0\/3 {2}messages 40\/100 {2}1 KB\/2 KB/);
    assert.ok(out.text.includes('\r\x1b[2K'), 'the line is redrawn in place');
    assert.ok(!out.text.includes('\n'), 'no scrolling lines for progress on a terminal');
  });

  it('prints a plain line per folder without a terminal, and failures always', () => {
    const out = sink(false);
    const r = new ConsoleReporter(out);
    r.emit({ type: 'run-start', accounts: 1 });
    r.emit(folderDone(10));
    r.emit({
      type: 'message-failed',
      account: 'kontakt@acme.example',
      folder: 'INBOX',
      uid: 7,
      reason: 'NO too big',
    });
    assert.equal(
      out.text,
      'kontakt@acme.example  INBOX.Wysłane -> Sent: 10 copied, 0 already there\n' +
        'kontakt@acme.example  INBOX UID 7 not copied: NO too big\n',
    );
    assert.ok(!out.text.includes('\x1b'), 'no terminal escapes in logs');
  });
});
