/**
 * How the one-burst listing (src/imap/folder-listing.ts) turns a server's answers into folders, and
 * when it gives up so that imapflow lists instead: the rules imapflow's own listing follows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shape, type Answers } from '../../../src/imap/folder-listing.js';

const CAPS = ['IMAP4REV1', 'LIST-EXTENDED', 'LIST-STATUS', 'NAMESPACE'];

function answers(extra: Partial<Answers> = {}): Answers {
  return {
    namespace: { prefix: 'INBOX.', delimiter: '.' },
    lines: [
      { flags: ['\\HasChildren'], delimiter: '.', name: 'inbox' },
      { flags: ['\\HasNoChildren', '\\Subscribed', '\\Sent'], delimiter: '.', name: 'INBOX.Wys&AUI-ane' },
      { flags: ['\\NonExistent', '\\Subscribed'], delimiter: '.', name: 'INBOX.Stary' },
      { flags: ['\\HasNoChildren'], delimiter: '.', name: 'Kosz' },
    ],
    status: new Map([
      [
        'INBOX',
        new Map([
          ['MESSAGES', '2'],
          ['UIDNEXT', '3'],
          ['UIDVALIDITY', '7'],
        ]),
      ],
      [
        'INBOX.Wys&AUI-ane',
        new Map([
          ['MESSAGES', '1'],
          ['UIDNEXT', '5'],
          ['UIDVALIDITY', '8'],
          ['SIZE', '90'],
        ]),
      ],
      [
        'INBOX.Stary',
        new Map([
          ['MESSAGES', '0'],
          ['UIDNEXT', '1'],
          ['UIDVALIDITY', '9'],
        ]),
      ],
      [
        'INBOX.Kosz',
        new Map([
          ['MESSAGES', '4'],
          ['UIDNEXT', '6'],
          ['UIDVALIDITY', '10'],
          ['HIGHESTMODSEQ', '12'],
        ]),
      ],
    ]),
    ...extra,
  };
}

describe('folder listing in one burst: shaping the answers', () => {
  it('shapes paths, subscriptions, attributes and status as imapflow does', () => {
    const l = shape(answers(), CAPS);
    assert.ok(l);
    assert.deepEqual(l.namespace, { prefix: 'INBOX.', delimiter: '.' });
    const [inbox, sent, old, kosz] = l.folders;
    // INBOX upper-cased, always subscribed.
    assert.equal(inbox?.path, 'INBOX');
    assert.equal(inbox?.subscribed, true);
    assert.equal(inbox?.messages, 2);
    // Modified UTF-7 decoded, \Subscribed taken out of the attributes, special use from the server.
    assert.equal(sent?.path, 'INBOX.Wys\u0142ane');
    assert.deepEqual(sent?.flags, ['\\HasNoChildren', '\\Sent']);
    assert.equal(sent?.specialUse, '\\Sent');
    assert.equal(sent?.size, 90);
    // \NonExistent is \Noselect too, and has no status.
    assert.deepEqual(old?.flags, ['\\NonExistent', '\\Noselect']);
    assert.equal(old?.status, undefined);
    // A name without the namespace prefix gets it (imapflow's normalizePath).
    assert.equal(kosz?.path, 'INBOX.Kosz');
    assert.equal(kosz?.subscribed, false);
    assert.deepEqual(kosz?.status, {
      messages: 4,
      uidNext: 6,
      uidValidity: 10,
      highestModseq: '12',
      size: undefined,
    });
    assert.deepEqual(l.capabilities, CAPS);
  });

  it('strips a delimiter in front of a name', () => {
    const l = shape(
      answers({
        namespace: { prefix: '', delimiter: '/' },
        lines: [{ flags: ['\\Subscribed'], delimiter: '/', name: '/Faktury' }],
        status: new Map([['/Faktury', new Map([['MESSAGES', '1']])]]),
      }),
      CAPS,
    );
    assert.equal(l?.folders[0]?.path, 'Faktury');
    assert.equal(l?.folders[0]?.messages, 1);
  });

  it('gives up where imapflow would ask more: no subscription, no status, an unreadable answer', () => {
    const a = answers();
    const unsubscribed = a.lines.map((l) => ({ ...l, flags: l.flags.filter((f) => f !== '\\Subscribed') }));
    assert.equal(shape({ ...a, lines: unsubscribed }, CAPS), undefined, 'RETURN (SUBSCRIBED) ignored');
    assert.equal(shape({ ...a, status: new Map() }, CAPS), undefined, 'LIST-STATUS ignored');
    assert.equal(shape({ ...a, unreadable: true }, CAPS), undefined);
    // Only non-selectable folders: no status is expected.
    const phantoms = {
      ...a,
      lines: [{ flags: ['\\Noselect', '\\Subscribed'], delimiter: '.', name: 'INBOX.X' }],
    };
    assert.equal(shape({ ...phantoms, status: new Map() }, CAPS)?.folders.length, 1);
  });
});
