/**
 * LIST, STATUS and NAMESPACE responses as servers send them (RFC 3501 section 7.2, RFC 5258,
 * RFC 5819, RFC 2342): quoted names with escapes, names sent as literals, NIL delimiters, extended
 * data after the name, and modified UTF-7.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseListLine,
  parseNamespaceLine,
  parseSexp,
  parseStatusLine,
} from '../../../src/imap/list-syntax.js';
import { LITERAL_MARK } from '../../../src/imap/imap-response-parser.js';

describe('IMAP list syntax', () => {
  it('reads nested lists, quoted strings with escapes, NIL and literals', () => {
    const lit = Buffer.from('Wys\u0142ane "x"', 'utf8');
    assert.deepEqual(parseSexp(`(\\A (B "c \\"d\\" \\\\e")) NIL "NIL" ${LITERAL_MARK} atom`, [lit]), [
      ['\\A', ['B', 'c "d" \\e']],
      null,
      'NIL',
      'Wys\u0142ane "x"',
      'atom',
    ]);
    assert.throws(() => parseSexp('(a (b)'), /unbalanced/);
    assert.throws(() => parseSexp('"open'), /unterminated/);
    assert.throws(() => parseSexp(LITERAL_MARK), /literal is missing/);
  });

  it('reads a LIST line with extended data, a NIL delimiter and a literal name', () => {
    assert.deepEqual(
      parseListLine('(\\HasChildren \\Subscribed) "." "INBOX.Faktury" ("CHILDINFO" ("SUBSCRIBED"))'),
      { flags: ['\\HasChildren', '\\Subscribed'], delimiter: '.', name: 'INBOX.Faktury' },
    );
    assert.deepEqual(parseListLine('() NIL Archiwum'), { flags: [], delimiter: null, name: 'Archiwum' });
    assert.deepEqual(parseListLine(`(\\Noselect) "/" ${LITERAL_MARK}`, [Buffer.from('a"b')]), {
      flags: ['\\Noselect'],
      delimiter: '/',
      name: 'a"b',
    });
    assert.throws(() => parseListLine('"." "INBOX"'), /not a LIST response/);
  });

  it('reads a STATUS line, item names upper-cased', () => {
    const st = parseStatusLine(
      '"INBOX.Kosz" (messages 3 UIDNEXT 4 UIDVALIDITY 1700000000 HIGHESTMODSEQ 9 SIZE 120)',
    );
    assert.equal(st.name, 'INBOX.Kosz');
    assert.deepEqual(Object.fromEntries(st.items), {
      MESSAGES: '3',
      UIDNEXT: '4',
      UIDVALIDITY: '1700000000',
      HIGHESTMODSEQ: '9',
      SIZE: '120',
    });
    assert.throws(() => parseStatusLine('(MESSAGES 3)'), /not a STATUS response/);
  });

  it('reads the personal namespace, or none', () => {
    assert.deepEqual(parseNamespaceLine('(("INBOX." ".")) NIL (("#shared/" "/"))'), {
      prefix: 'INBOX.',
      delimiter: '.',
    });
    assert.deepEqual(parseNamespaceLine('(("" NIL)) NIL NIL'), { prefix: '', delimiter: null });
    assert.equal(parseNamespaceLine('NIL NIL NIL'), undefined);
  });
});
