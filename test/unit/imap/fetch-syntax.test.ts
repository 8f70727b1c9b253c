/**
 * The read path's wire syntax, without a server: literals kept whole whatever the chunking, FETCH
 * items split by name (sections with spaces, quoted strings, NIL), INTERNALDATE read back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fetchItems } from '../../../src/imap/fetch-pipeline.js';
import { scannedMeta } from '../../../src/imap/scan-items.js';
import { ImapResponseParser, LITERAL_MARK } from '../../../src/imap/imap-response-parser.js';
import { formatInternalDate, parseInternalDate } from '../../../src/imap/imap-syntax.js';

const WIRE = Buffer.concat([
  Buffer.from('* 7 FETCH (UID 42 BODY[] {10}\r\n'),
  Buffer.from('A1 OK \x00\xff\r\n', 'latin1'),
  Buffer.from(')\r\n* 9 EXISTS\r\n'),
  Buffer.from(
    '* 8 FETCH (UID 43 FLAGS (\\Seen $Forwarded) INTERNALDATE " 1-Mar-2024 09:05:00 +0100" RFC822.SIZE 1234 ' +
      'BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] {21}\r\nMessage-ID: <a@b>\r\n\r\n BODY[] NIL)\r\n',
  ),
  Buffer.from('M3 OK done\r\n'),
]);

function parseAll(chunkSize: number) {
  const parser = new ImapResponseParser((n) => Buffer.alloc(n));
  const out = [];
  for (let i = 0; i < WIRE.length; i += chunkSize) out.push(...parser.push(WIRE.subarray(i, i + chunkSize)));
  return out;
}

describe('fetch wire syntax', () => {
  it('keeps each literal whole and byte-exact, however the stream is cut', () => {
    for (const size of [1, 2, 7, 64, WIRE.length]) {
      const out = parseAll(size);
      assert.equal(out.length, 4, `chunks of ${size}`);
      const [first, exists, second, done] = out;
      assert.ok(first?.kind === 'untagged' && second?.kind === 'untagged' && exists?.kind === 'untagged');
      assert.equal(first.number, 7);
      assert.equal(first.text, `(UID 42 BODY[] ${LITERAL_MARK})`);
      assert.deepEqual(first.literals, [Buffer.from('A1 OK \x00\xff\r\n', 'latin1')]);
      assert.equal(exists.keyword, 'EXISTS');
      assert.equal(exists.number, 9);
      assert.equal(second.literals?.[0]?.toString(), 'Message-ID: <a@b>\r\n\r\n');
      assert.equal(done?.kind, 'tagged');
    }
  });

  it('splits FETCH items by name, sections with spaces and NIL included', () => {
    const [, , second] = parseAll(5);
    assert.ok(second?.kind === 'untagged');
    const items = fetchItems(second.text, second.literals ?? []);
    assert.equal(items.get('UID'), '43');
    assert.deepEqual(items.get('FLAGS'), ['\\Seen', '$Forwarded']);
    assert.equal(items.get('INTERNALDATE'), ' 1-Mar-2024 09:05:00 +0100');
    assert.equal(items.get('RFC822.SIZE'), '1234');
    assert.equal(
      (items.get('BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)]') as Buffer).toString(),
      'Message-ID: <a@b>\r\n\r\n',
    );
    assert.equal(items.get('BODY[]'), null);
    assert.equal(fetchItems('(BODY[] "a \\"q\\" \\\\ b")', []).get('BODY[]'), 'a "q" \\ b');
    // Servers order items as they like (Exchange and Gmail put the body before the UID).
    const body = Buffer.from('Subject: x\r\n\r\nhi');
    const reordered = fetchItems(`(BODY[] ${LITERAL_MARK} FLAGS () UID 7)`, [body]);
    assert.equal(reordered.get('UID'), '7');
    assert.deepEqual(reordered.get('FLAGS'), []);
    assert.equal(reordered.get('BODY[]'), body);
  });

  it('reads a flag list with any spacing, and holds one list for the messages that share it', () => {
    assert.deepEqual(fetchItems('(FLAGS ( \\Seen  $Label1 ) UID 1)', []).get('FLAGS'), ['\\Seen', '$Label1']);
    const meta = (uid: number, flags: string, messageId?: string) =>
      scannedMeta(
        uid,
        '2048',
        fetchItems(`(UID ${uid} FLAGS (${flags}) BODY[HEADER.FIELDS (MESSAGE-ID)] ${LITERAL_MARK})`, [
          Buffer.from(messageId ? `Message-ID:  ${messageId} \r\n\r\n` : '\r\n'),
        ]),
      );
    const [a, b, c] = [
      meta(1, '\\Seen \\Answered', '<a@x>'),
      meta(2, '\\Seen \\Answered'),
      meta(3, '\\Seen'),
    ];
    // A folder's metadata is held whole (verify, the copy): equal lists are one array, frozen so
    // that a change meant for one message cannot reach the others.
    assert.equal(a.flags, b.flags);
    assert.notEqual(a.flags, c.flags);
    assert.deepEqual(c.flags, ['\\Seen']);
    assert.ok(Object.isFrozen(a.flags));
    assert.throws(() => (a.flags as string[]).push('$Junk'), TypeError);
    assert.deepEqual(b.flags, ['\\Seen', '\\Answered']);
    // The Message-ID is held once, inside the identity; both read as before.
    assert.equal(a.messageId, '<a@x>');
    assert.equal(a.identity, 'mid:<a@x>:2048');
    assert.equal(b.messageId, undefined);
    assert.match(b.identity, /^hdr:[0-9a-f]{32}:2048$/);
  });

  it('reads INTERNALDATE with its zone, and back what formatInternalDate writes', () => {
    assert.equal(parseInternalDate(' 1-Mar-2024 09:05:00 +0100')?.toISOString(), '2024-03-01T08:05:00.000Z');
    assert.equal(parseInternalDate('31-Dec-1999 23:59:59 -0530')?.toISOString(), '2000-01-01T05:29:59.000Z');
    const d = new Date('2026-11-25T22:13:13Z');
    assert.equal(parseInternalDate(formatInternalDate(d)!.slice(1, -1))?.getTime(), d.getTime());
    assert.equal(parseInternalDate('1-Foo-2024 09:05:00 +0100'), undefined);
    assert.equal(parseInternalDate('yesterday'), undefined);
    // A scanned message holds its date as a number: a Date per message of a 60,000-message folder,
    // on both sides, cost verify ~10 MiB.
    const scanned = (date: string) =>
      scannedMeta(5, '10', fetchItems(`(UID 5 INTERNALDATE "${date}" FLAGS ())`, [])).internalDate;
    assert.equal(scanned(' 1-Mar-2024 09:05:00 +0100'), Date.UTC(2024, 2, 1, 8, 5));
    assert.equal(scanned('not a date'), 0, 'an unreadable date reads as the epoch, as before');
  });

  it('refuses a kept literal larger than any mail', () => {
    const parser = new ImapResponseParser((n) => Buffer.alloc(n));
    assert.throws(
      () => parser.push(Buffer.from('* 1 FETCH (BODY[] {99999999999}\r\n')),
      /literal of 99999999999/,
    );
  });
});
