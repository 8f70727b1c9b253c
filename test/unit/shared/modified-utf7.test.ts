/**
 * Modified UTF-7 (RFC 3501 section 5.1.3): the spellings the RFC gives, and the same results as
 * iconv-lite's `utf-7-imap` codec (what imapflow uses) on thousands of names, well formed or not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from '../../../src/shared/modified-utf7.js';

/** A deterministic generator (mulberry32), so that a failure can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'a',
  'Z',
  '/',
  '.',
  '&',
  '-',
  ' ',
  '~',
  '\u0142',
  '\u017c',
  '\u00f3',
  '\u65e5',
  '\u{1f4e7}',
  '\t',
  '\u007f',
  ',',
];

function name(next: () => number): string {
  let s = '';
  const n = Math.floor(next() * 12);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

describe('modified UTF-7', () => {
  it('spells names as RFC 3501 and the usual Polish folders do', () => {
    // RFC 3501 section 5.1.3's example, and names of this project's users.
    assert.equal(
      encodeModifiedUtf7('~peter/mail/\u53f0\u5317/\u65e5\u672c\u8a9e'),
      '~peter/mail/&U,BTFw-/&ZeVnLIqe-',
    );
    assert.equal(encodeModifiedUtf7('Wys\u0142ane'), 'Wys&AUI-ane');
    assert.equal(encodeModifiedUtf7('Kosz & Spam'), 'Kosz &- Spam');
    assert.equal(
      decodeModifiedUtf7('~peter/mail/&U,BTFw-/&ZeVnLIqe-'),
      '~peter/mail/\u53f0\u5317/\u65e5\u672c\u8a9e',
    );
    assert.equal(decodeModifiedUtf7('Wys&AUI-ane'), 'Wys\u0142ane');
    assert.equal(decodeModifiedUtf7('&-'), '&');
    assert.equal(decodeModifiedUtf7('INBOX.Faktury'), 'INBOX.Faktury');
  });

  it('encodes as iconv-lite does, and every encoding decodes back', () => {
    const next = random(20261203);
    for (let i = 0; i < 5000; i++) {
      const n = name(next);
      const ours = encodeModifiedUtf7(n);
      assert.equal(ours, iconv.encode(n, 'utf-7-imap').toString('latin1'), JSON.stringify(n));
      assert.equal(decodeModifiedUtf7(ours), n, JSON.stringify(n));
    }
  });

  it('decodes what a server may send, malformed too, as iconv-lite does', () => {
    const next = random(7);
    const wire = ['&', '-', 'A', 'U', 'I', ',', '+', '/', 'x', '.', ' ', '&AUI-', '&ZeVnLIqe'];
    for (let i = 0; i < 5000; i++) {
      let s = '';
      const n = Math.floor(next() * 10);
      for (let j = 0; j < n; j++) s += wire[Math.floor(next() * wire.length)];
      assert.equal(
        decodeModifiedUtf7(s),
        iconv.decode(Buffer.from(s, 'latin1'), 'utf-7-imap'),
        JSON.stringify(s),
      );
    }
  });

  it('keeps characters outside a run as they came (a server sending raw UTF-8)', () => {
    assert.equal(decodeModifiedUtf7('Wys\u0142ane &AUI-'), 'Wys\u0142ane \u0142');
  });
});
