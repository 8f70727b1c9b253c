/**
 * What discovery keeps of every source message for the dry-run report (src/plan/sized-messages.ts):
 * the same references as before, largest first, in a fraction of the memory (a report of hundreds
 * of accounts holds every message of all of them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { messageMeta } from '../../../src/imap/mailbox-reader.js';
import type { MessageMeta } from '../../../src/core/messages.js';
import { summariseMessages } from '../../../src/plan/discovery.js';
import { SizedMessages } from '../../../src/plan/sized-messages.js';

function meta(uid: number, size: number, date: number, messageId?: string): MessageMeta {
  return {
    uid,
    size,
    internalDate: date,
    flags: [],
    identity: `mid:${messageId ?? uid}:${size}`,
    ...(messageId ? { messageId } : {}),
  };
}

describe('a folder\u2019s messages by size', () => {
  it('names each message as before: largest first, equal sizes by UID, unreadable dates empty', () => {
    const day = Date.UTC(2024, 4, 2, 8, 30);
    const sized = SizedMessages.of('INBOX.Faktury', [
      meta(7, 100, day, '<a@x>'),
      meta(3, 900, day + 1000),
      meta(5, 100, Number.NaN, '<\u017c\u00f3\u0142w@x>'),
      meta(9, 5000, day, '<big@x>'),
    ]);
    assert.equal(sized.length, 4);
    assert.deepEqual(sized.refs(), [
      { folder: 'INBOX.Faktury', uid: 9, size: 5000, date: '2024-05-02T08:30:00.000Z', messageId: '<big@x>' },
      { folder: 'INBOX.Faktury', uid: 3, size: 900, date: '2024-05-02T08:30:01.000Z' },
      { folder: 'INBOX.Faktury', uid: 5, size: 100, date: '', messageId: '<\u017c\u00f3\u0142w@x>' },
      { folder: 'INBOX.Faktury', uid: 7, size: 100, date: '2024-05-02T08:30:00.000Z', messageId: '<a@x>' },
    ]);
    assert.deepEqual(
      sized.refs(2).map((m) => m.uid),
      [9, 3],
    );
    assert.deepEqual(SizedMessages.none('Kosz').refs(), []);
  });

  it('keeps less than 100 bytes a message (a reference object each kept 219)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const n = 50_000;
    /** A scanned folder summarised: the scan's metadata is gone once it returns. */
    const summarised = () =>
      summariseMessages(
        'INBOX',
        Array.from({ length: n }, (_, i) =>
          messageMeta(
            i + 1,
            ['\\Seen'],
            Date.UTC(2024, 0, 1) + i * 1000,
            20_000 + i,
            Buffer.from(
              `Message-ID: <msg-${i}-abcdefghij@mail.example.com>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100\r\n` +
                `From: Anna Kowalska <anna@firma.pl>\r\nTo: biuro@firma.pl\r\nSubject: Faktura ${i}\r\n\r\n`,
            ),
          ),
        ),
      );
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept = summarised();
    gc();
    const perMessage = (process.memoryUsage().heapUsed - before) / n;
    assert.equal(kept.bySize.length, n);
    assert.ok(perMessage < 100, `${perMessage.toFixed(0)} bytes a message`);
  });
});
