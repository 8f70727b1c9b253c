/**
 * The pure parts of the provider-shaped test servers: FETCH command and response text (literals kept
 * byte for byte), Gmail's label syntax and ids, the Gmail folder rule, and the Exchange refusal
 * triggers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatFetchCommand,
  formatFetchResponse,
  parseFetchCommand,
  parseFetchResponse,
  stringValue,
} from '../../harness/imap-fetch-text.js';
import {
  GmailLabelTable,
  formatLabel,
  gmailFolders,
  gmailId,
  messageKey,
} from '../../harness/gmail-labels.js';
import { foldersOf, labelsOf } from '../../harness/gmail-shape.js';
import { firstInvalidHeaderLine, longestLine } from '../../harness/m365-faults.js';

describe('FETCH text', () => {
  test('splits a command with a section holding spaces and parentheses, and writes it back', () => {
    const cmd = parseFetchCommand(
      'UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)] X-GM-MSGID) (CHANGEDSINCE 5)',
    );
    assert.ok(cmd);
    assert.deepEqual(cmd.items, ['UID', 'BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)]', 'X-GM-MSGID']);
    assert.equal(cmd.modifiers, ' (CHANGEDSINCE 5)');
    cmd.items = cmd.items.filter((i) => i !== 'X-GM-MSGID');
    assert.equal(
      formatFetchCommand(cmd),
      'UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)]) (CHANGEDSINCE 5)',
    );
    assert.deepEqual(parseFetchCommand('FETCH 3 X-GM-LABELS')?.items, ['X-GM-LABELS']);
    assert.equal(parseFetchCommand('SEARCH ALL'), undefined);
  });

  test('reads a response with literals, quoted strings and nested lists, and keeps their bytes', () => {
    const header = 'Message-ID: <a@b>\r\nSubject: (x) "y"\r\n\r\n';
    const raw = Buffer.from(
      `* 7 FETCH (UID 42 FLAGS (\\Seen \\Flagged) ENVELOPE ("d" {3}\r\n) ( NIL) BODY[HEADER] {${header.length}}\r\n${header} MODSEQ (9))\r\n`,
      'latin1',
    );
    const res = parseFetchResponse(raw);
    assert.ok(res);
    assert.equal(res.seq, 7);
    assert.deepEqual(
      res.items.map((i) => i.name),
      ['UID', 'FLAGS', 'ENVELOPE', 'BODY[HEADER]', 'MODSEQ'],
    );
    assert.equal(stringValue(res.items[3]!)?.toString('latin1'), header);
    assert.deepEqual(
      formatFetchResponse(
        res.seq,
        res.items.map((i) => i.raw),
      ),
      raw,
    );
    assert.equal(parseFetchResponse(Buffer.from('* 3 EXISTS\r\n')), undefined);
    assert.throws(() => parseFetchResponse(Buffer.from('* 1 FETCH (BODY[] {10}\r\nabc')));
  });
});

describe('Gmail labels', () => {
  test('formats labels as astrings: quoted system labels, modified UTF-7, quotes where needed', () => {
    assert.equal(formatLabel('\\Inbox'), '"\\\\Inbox"');
    assert.equal(formatLabel('\\Inbox', 'flag'), '\\Inbox');
    assert.equal(formatLabel('Klienci/ACME'), 'Klienci/ACME');
    assert.equal(formatLabel('Muy Importante'), '"Muy Importante"');
    assert.equal(formatLabel('Klienci/\u017babka'), 'Klienci/&AXs-abka');
    assert.equal(formatLabel('a"b'), '"a\\"b"');
  });

  test('ids are stable, above 2^53 and below 2^64; a message without Message-ID is keyed by its header', () => {
    const id = gmailId('<x@y>');
    assert.equal(id, gmailId('<x@y>'));
    assert.notEqual(id, gmailId('<x@z>'));
    assert.ok(id > 2n ** 53n && id < 2n ** 64n);
    assert.equal(messageKey(Buffer.from('Subject: a\r\nMessage-Id:\r\n <folded@id>\r\n\r\n')), '<folded@id>');
    assert.match(messageKey(Buffer.from('Subject: a\r\n\r\n')), /^sha256:[0-9a-f]{64}$/);
  });

  test('a folder stands for its label; All Mail and the container for none', () => {
    const table = new GmailLabelTable(gmailFolders('[Google Mail]'));
    assert.equal(table.labelOfFolder('INBOX'), '\\Inbox');
    assert.equal(table.labelOfFolder('[Google Mail]/Sent Mail'), '\\Sent');
    assert.equal(table.labelOfFolder('[Google Mail]/Starred'), '\\Starred');
    assert.equal(table.labelOfFolder('[Google Mail]/All Mail'), undefined);
    assert.equal(table.labelOfFolder('Klienci/ACME'), 'Klienci/ACME');
  });

  test('the folder rule: All Mail for all but spam and trash, one folder per label', () => {
    const f = gmailFolders();
    const base = { key: 'k', raw: Buffer.alloc(0), date: new Date(0) };
    assert.deepEqual(foldersOf({ ...base }, f), [f.all]);
    assert.deepEqual(foldersOf({ ...base, inbox: true, starred: true, labels: ['A', 'B/C'] }, f), [
      'INBOX',
      'A',
      'B/C',
      f.starred,
      f.all,
    ]);
    assert.deepEqual(foldersOf({ ...base, spam: true, labels: ['A'] }, f), [f.spam]);
    assert.deepEqual(labelsOf({ ...base, sent: true, important: true, labels: ['A'] }), [
      '\\Sent',
      '\\Important',
      'A',
    ]);
  });
});

describe('Exchange refusal triggers', () => {
  test('measures the longest line with CRLF, LF or no line end', () => {
    assert.equal(longestLine(Buffer.from('ab\r\ncdef\r\ng')), 4);
    assert.equal(longestLine(Buffer.from('abc\nde')), 3);
    assert.equal(longestLine(Buffer.alloc(0)), 0);
  });

  test('finds a header line that is neither a field nor a continuation, and only in the header', () => {
    assert.equal(
      firstInvalidHeaderLine(Buffer.from('A: 1\r\n folded\r\nB: 2\r\n\r\nno colon here\r\n')),
      undefined,
    );
    assert.equal(firstInvalidHeaderLine(Buffer.from('A: 1\r\nno colon\r\n\r\n')), 2);
    assert.equal(firstInvalidHeaderLine(Buffer.from('Bad Name: 1\r\n\r\n')), 1);
    assert.equal(firstInvalidHeaderLine(Buffer.from(' leading: 1\r\n\r\n')), 1);
  });
});
