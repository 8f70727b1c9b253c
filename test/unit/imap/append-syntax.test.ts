/**
 * The append pipeline's wire syntax, without a server: uid-sets from APPENDUID, the incremental
 * response reader skipping literals, and how mailbox names, flags and dates are spelled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImapResponseParser, parseUidSet } from '../../../src/imap/imap-response-parser.js';
import {
  checkFlags,
  formatInternalDate,
  mailboxArgument,
  namesItselfBack,
} from '../../../src/imap/imap-syntax.js';

describe('append wire syntax', () => {
  it('expands uid-sets in order and refuses oversized ones', () => {
    assert.deepEqual(parseUidSet('5', 10), [5]);
    assert.deepEqual(parseUidSet('5:9', 10), [5, 6, 7, 8, 9]);
    assert.deepEqual(parseUidSet('5:7,9', 10), [5, 6, 7, 9]);
    assert.deepEqual(parseUidSet('9:7', 10), [7, 8, 9]);
    assert.equal(parseUidSet('1:4294967295', 100), undefined);
    assert.equal(parseUidSet('5:*', 10), undefined);
  });

  it('skips literals inside untagged responses and keeps tagged text', () => {
    const parser = new ImapResponseParser();
    const wire = Buffer.from(
      '* 1 FETCH (BODY[] {12}\r\nA1 OK fake\r\n)\r\n+ go\r\nM1 NO [TRYCREATE] no {5}\r\n',
    );
    const out = [...wire].flatMap((b) => parser.push(Buffer.from([b])));
    assert.deepEqual(out, [
      { kind: 'untagged', keyword: 'FETCH', text: '(BODY[] )', number: 1 },
      { kind: 'continuation', text: 'go' },
      { kind: 'tagged', tag: 'M1', status: 'NO', code: { name: 'TRYCREATE', args: '' }, text: 'no {5}' },
    ]);
  });

  it('spells mailbox names, flags and dates', () => {
    assert.deepEqual(mailboxArgument('Faktury/2024'), ['"Faktury/2024"']);
    assert.deepEqual(mailboxArgument('Wys\u0142ane'), ['"Wys&AUI-ane"']);
    assert.deepEqual(mailboxArgument('a&"b\\'), ['"a&-\\"b\\\\"']);
    assert.deepEqual(checkFlags(['\\seen', '\\Recent', '$label1', '$label1']), {
      ok: true,
      list: '(\\Seen $label1) ',
    });
    assert.deepEqual(checkFlags([]), { ok: true, list: '' });
    assert.equal(checkFlags(['\\Foo']).ok, false);
    assert.equal(checkFlags(['two words']).ok, false);
    assert.equal(formatInternalDate(new Date(Date.UTC(2024, 1, 5, 7, 8, 9))), '"05-Feb-2024 07:08:09 +0000"');
    assert.equal(formatInternalDate(new Date(NaN)), undefined);
  });
});

describe('namesItselfBack', () => {
  it('takes plain ASCII and valid modified UTF-7 as naming their folder, and not a broken name', () => {
    assert.equal(namesItselfBack('Faktury.2024 (stare)', false), true);
    assert.equal(namesItselfBack('INBOX.Wys&AUI-ane', false), true);
    assert.equal(namesItselfBack('Faktury &- rachunki', false), true);
    assert.equal(namesItselfBack('Faktury & rachunki', false), false, 'a bare & is not modified UTF-7');
    assert.equal(namesItselfBack('Wys\u0142ane', false), false, '8-bit text without UTF8=ACCEPT');
    assert.equal(namesItselfBack('Wys\u0142ane', true), true, 'UTF-8 once UTF8=ACCEPT is enabled');
    assert.equal(namesItselfBack('a\u0001b', false), false, 'a control character is encoded, not itself');
  });
});
