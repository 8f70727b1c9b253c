/**
 * The repairs of messages a destination refuses or would alter (core/repair.ts, core/header-repair.ts),
 * on the hard-corner fixtures: each repair must remove what the server objects to, keep every
 * character of the text (as a mail reader decodes it: mailparser), leave the body alone, and give
 * the same bytes whichever path applied it (so verify --deep can apply it again).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { MAX_LINE, encodedWords } from '../../../src/core/header-repair.js';
import { messageIdentity, parseHeaderFields } from '../../../src/core/identity.js';
import {
  applyRepairs,
  headerHas8bit,
  repairBeforeAppend,
  repairedIdentity,
  repairForRetry,
  repairsNamed,
  type RepairPolicy,
} from '../../../src/core/repair.js';
import { firstInvalidHeaderLine, longestLine } from '../../harness/m365-faults.js';

const REPO = join(import.meta.dirname, '../../..');
const fixture = (name: string) => readFileSync(join(REPO, 'fixtures/eml', `${name}.eml`));
const REPAIR: RepairPolicy = { bareLf: 'repair', nulBytes: 'repair' };

/** The header section and the body (from the empty line on) of a message. */
function parts(raw: Buffer): { head: string; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  return { head: raw.toString('latin1', 0, end + 2), body: raw.subarray(end) };
}

/** The header lines, unfolded (RFC 5322 2.2.3), with the text of each encoded-word decoded. */
function decodedFields(raw: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  const unfolded = parts(raw).head.replace(/\r\n(?=[ \t])/g, '');
  for (const line of unfolded.split('\r\n').filter(Boolean)) {
    const colon = line.indexOf(':');
    const value = line
      .slice(colon + 1)
      .trim()
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?([^?]+)\?B\?([^?]*)\?=/g, (_, _cs: string, b64: string) =>
        Buffer.from(b64, 'base64').toString('latin1'),
      );
    fields.set(line.slice(0, colon).toLowerCase(), value);
  }
  return fields;
}

describe('header lines that are not fields (malformed-header.eml)', () => {
  const raw = fixture('malformed-header');

  it('moves the line into X-Mailshift-Repaired-Header at its place; the rest is untouched', () => {
    assert.equal(firstInvalidHeaderLine(raw), 5, 'the fixture has its colon-less fifth line');
    const fixed = repairForRetry(raw, REPAIR)!;
    assert.deepEqual(fixed.kinds, ['header-line']);
    assert.equal(firstInvalidHeaderLine(fixed.raw), undefined);
    const before = parts(raw).head.split('\r\n');
    const after = parts(fixed.raw).head.split('\r\n');
    assert.equal(after.length, before.length);
    assert.equal(after[4], 'X-Mailshift-Repaired-Header: This header line has no colon at all');
    assert.deepEqual(
      after.filter((_, i) => i !== 4),
      before.filter((_, i) => i !== 4),
    );
    assert.ok(parts(fixed.raw).body.equals(parts(raw).body), 'the body changed');
  });

  it('moves a leading continuation line and a name with a space too, but keeps obsolete `Name :`', () => {
    const raw2 = Buffer.from(
      ' leading fold\r\nBad Name: x\r\nSubject : old style\r\nTo: a@b\r\n\r\nbody\r\n',
    );
    const fixed = repairForRetry(raw2, REPAIR)!;
    assert.equal(
      parts(fixed.raw).head,
      'X-Mailshift-Repaired-Header: leading fold\r\nX-Mailshift-Repaired-Header: Bad Name: x\r\n' +
        'Subject : old style\r\nTo: a@b\r\n',
    );
  });

  it('is left alone when the plan says headerLines: skip', () => {
    assert.equal(repairForRetry(raw, { ...REPAIR, headerLines: 'skip' }), undefined);
  });
});

describe('header lines over 998 characters (long-header.eml)', () => {
  const raw = fixture('long-header');

  it('folds at white space, and encodes a value without any, so every line fits and the text is the same', () => {
    assert.ok(longestLine(Buffer.from(parts(raw).head, 'latin1')) > MAX_LINE);
    const fixed = repairForRetry(raw, REPAIR)!;
    assert.deepEqual(fixed.kinds, ['header-long']);
    assert.ok(longestLine(Buffer.from(parts(fixed.raw).head, 'latin1')) <= MAX_LINE);
    const was = decodedFields(raw);
    const now = decodedFields(fixed.raw);
    assert.deepEqual([...now.keys()], [...was.keys()]);
    for (const [name, value] of was) assert.equal(now.get(name), value, name);
    // The Subject was folded, not encoded: its bytes are the same once unfolded.
    assert.doesNotMatch(parts(fixed.raw).head, /Subject: =\?/);
    assert.match(parts(fixed.raw).head, /X-Tracking: =\?UTF-8\?B\?/);
    assert.ok(parts(fixed.raw).body.equals(parts(raw).body));
  });

  it('leaves an over-long identifier alone: a Message-ID is never rewritten', () => {
    const id = `<${'x'.repeat(1200)}@example>`;
    const raw2 = Buffer.from(`Message-ID: ${id}\r\nSubject: s\r\n\r\nbody\r\n`);
    assert.equal(repairForRetry(raw2, REPAIR), undefined);
  });

  it('does not touch a long body line (long-line.eml): only header lines are repaired', () => {
    assert.equal(repairForRetry(fixture('long-line'), REPAIR), undefined);
  });
});

describe('raw 8-bit header text', () => {
  it('raw-8bit-headers.eml: UTF-8 names and Subject become encoded-words a reader decodes to the same text', async () => {
    const raw = fixture('raw-8bit-headers');
    const fixed = repairForRetry(raw, REPAIR)!;
    assert.deepEqual(fixed.kinds, ['header-8bit']);
    assert.doesNotMatch(parts(fixed.raw).head, /[\x80-\xff]/);
    const [was, now] = await Promise.all([simpleParser(raw), simpleParser(fixed.raw)]);
    assert.equal(now.subject, was.subject);
    assert.equal(
      now.subject,
      'Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144 - nag\u0142\u00f3wki bez kodowania',
    );
    assert.deepEqual(now.from?.value, was.from?.value);
    assert.deepEqual((now.to as { value: unknown }).value, (was.to as { value: unknown }).value);
    // Only the words that hold 8-bit bytes are encoded; the addresses stay as they were.
    assert.match(parts(fixed.raw).head, /^From: =\?UTF-8\?B\?[^?]+\?= <lukasz\.wojcik@budpol\.example>\r$/m);
    assert.match(parts(fixed.raw).head, /^Subject: =\?UTF-8\?B\?[^?]+\?= bez kodowania\r$/m);
    assert.ok(parts(fixed.raw).body.equals(parts(raw).body), 'the body changed');
  });

  it('raw-latin2-headers.eml: bytes that are not UTF-8 are labelled with the body charset (ISO-8859-2)', async () => {
    const raw = fixture('raw-latin2-headers');
    const fixed = repairForRetry(raw, REPAIR)!;
    assert.match(parts(fixed.raw).head, /=\?iso-8859-2\?B\?/);
    const now = await simpleParser(fixed.raw);
    assert.equal(now.subject, 'Re: Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144 - faktura');
    assert.equal(now.from?.value[0]?.name, '\u0141ukasz W\u00f3jcik');
    assert.equal(now.from?.value[0]?.address, 'lukasz.wojcik@budpol.example');
  });

  it('an 8-bit address (RFC 6532) and MIME parameters stay as they are; a comment is encoded', () => {
    const raw = Buffer.from(
      'From: "Ola" <\u00f3la@example.pl> (biuro \u00f3)\r\nContent-Type: text/plain; name="\u00f3.txt"\r\n\r\nx\r\n',
      'utf8',
    );
    const head = parts(repairForRetry(raw, REPAIR)!.raw).head;
    assert.match(head, /^From: "Ola" <\xc3\xb3la@example\.pl> \(=\?UTF-8\?B\?[^?]+\?=\)\r$/m);
    assert.match(head, /^Content-Type: text\/plain; name="\xc3\xb3\.txt"\r$/m);
  });

  it('never splits a UTF-8 character between two encoded-words, and each word is at most 75 characters', () => {
    const text = Buffer.from('\u017c'.repeat(60) + '\u{1f600}'.repeat(20), 'utf8');
    const words = encodedWords(text, 'UTF-8');
    assert.ok(words.length > 1);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (const w of words) {
      assert.ok(w.length <= 75, w);
      decoder.decode(Buffer.from(/\?B\?(.*)\?=$/.exec(w)![1]!, 'base64'));
    }
  });

  it('is encoded before the APPEND only for a destination without UTF8=ACCEPT, and not with eightBitHeaders: keep', () => {
    const raw = fixture('raw-8bit-headers');
    assert.equal(repairBeforeAppend(raw, REPAIR, { utf8Accept: true }), undefined);
    assert.equal(
      repairBeforeAppend(raw, { ...REPAIR, eightBitHeaders: 'keep' }, { utf8Accept: false }),
      undefined,
    );
    const before = repairBeforeAppend(raw, REPAIR, { utf8Accept: false })!;
    assert.ok(before.raw.equals(repairForRetry(raw, REPAIR)!.raw));
    // A pooled body in pieces gives the same bytes.
    const pieces = [raw.subarray(0, 7), raw.subarray(7, 100), raw.subarray(100)];
    assert.ok(repairBeforeAppend(pieces, REPAIR, { utf8Accept: false })!.raw.equals(before.raw));
    // 8-bit bytes only in the body: nothing to do (most 8bit mail), and the header scan says so.
    const body8 = fixture('nul-byte');
    assert.equal(headerHas8bit(Buffer.concat([body8, Buffer.from('\u0105', 'utf8')])), false);
    assert.equal(headerHas8bit([raw.subarray(0, 10), raw.subarray(10)]), true);
    assert.equal(repairBeforeAppend(fixture('bare-lf'), REPAIR, { utf8Accept: false }), undefined);
  });
});

describe('repairs together', () => {
  // Bare LF, a NUL, a colon-less line and 8-bit bytes in one header: what a broken mailer sends.
  const raw = Buffer.from(
    'From: \u0141ukasz <l@budpol.example>\nnot a field\nSubject: caf\u00e9\0 au lait\nMessage-ID: <all@x>\n\nbody\n',
    'utf8',
  );

  it('the repairs named in the state give the same bytes again, in the fixed order, whatever path applied them', () => {
    const fixed = repairForRetry(raw, REPAIR)!;
    assert.deepEqual(fixed.kinds, ['crlf', 'nul', 'header-line', 'header-8bit']);
    assert.deepEqual(
      repairsNamed(`${fixed.how} (server first said: BAD Command Argument Error. 11)`),
      fixed.kinds,
    );
    assert.ok(applyRepairs(raw, fixed.kinds).equals(fixed.raw));
    // Sent already with its 8-bit text encoded: the retry starts from the source bytes again.
    const before = repairBeforeAppend(raw, REPAIR, { utf8Accept: false })!;
    assert.deepEqual(before.kinds, ['header-8bit']);
    assert.ok(repairForRetry(raw, REPAIR, before.kinds)!.raw.equals(fixed.raw));
    // A refusal no further repair can help: nothing to send again.
    assert.equal(repairForRetry(fixture('raw-8bit-headers'), REPAIR, ['header-8bit']), undefined);
    assert.equal(repairForRetry(fixed.raw, REPAIR), undefined, 'a repaired message needs nothing more');
  });

  it('names the repaired copy by the identity its destination will read, the Message-ID with the new size', () => {
    const fixed = repairForRetry(raw, REPAIR)!;
    assert.equal(repairedIdentity(fixed.raw), `mid:<all@x>:${fixed.raw.length}`);
    // Without a Message-ID: the hash of the header fields as the destination holds them now.
    const withoutId = fixture('raw-8bit-headers')
      .toString('latin1')
      .replace(/^Message-ID: .*\r\n/m, '');
    const noId = repairForRetry(Buffer.from(withoutId, 'latin1'), REPAIR)!.raw;
    const identity = repairedIdentity(noId);
    assert.match(identity, /^hdr:/);
    assert.equal(identity, messageIdentity(parseHeaderFields(parts(noId).head), noId.length));
    assert.notEqual(
      identity,
      messageIdentity(parseHeaderFields(withoutId), noId.length),
      'the encoded From/To/Subject count',
    );
  });
});
