/**
 * The benchmark corpus's pure parts: modified UTF-7 folder names on disk (RFC 3501 section 5.1.3),
 * the accountant's folder tree of the 200-folder shape, and the layouts' sizes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCALIZED_NAMES } from '../../../src/plan/localized-names.js';
import {
  accountantFolders,
  accountantLayout,
  corpusLayout,
  inboxLayout,
  modifiedUtf7,
} from '../../harness/corpus.js';

describe('modifiedUtf7', () => {
  it('encodes the examples of RFC 3501 section 5.1.3', () => {
    // "~peter/mail/<Taipei in Chinese>/<Japanese>", encoded level by level.
    assert.equal(modifiedUtf7('\u53f0\u5317'), '&U,BTFw-');
    assert.equal(modifiedUtf7('\u65e5\u672c\u8a9e'), '&ZeVnLIqe-');
    assert.equal(modifiedUtf7('~peter'), '~peter');
  });

  it('escapes & and leaves printable ASCII alone', () => {
    assert.equal(modifiedUtf7('R&D'), 'R&-D');
    assert.equal(modifiedUtf7('Old Mail'), 'Old Mail');
  });

  it('encodes Polish letters as UTF-16 in base64 without padding', () => {
    assert.equal(modifiedUtf7('Wyci\u0105gi'), 'Wyci&AQU-gi');
    assert.equal(modifiedUtf7('P\u0142ace'), 'P&AUI-ace');
    assert.equal(modifiedUtf7('\u017b\u00f3\u0142\u0107'), '&AXsA8wFCAQc-');
  });
});

describe('accountantFolders', () => {
  const names = accountantFolders(200);

  it('gives exactly the number asked, all different, parents before children', () => {
    assert.equal(names.length, 200);
    assert.equal(new Set(names).size, 200);
    for (const [i, name] of names.entries()) {
      const parent = name.split('/').slice(0, -1).join('/');
      if (parent) assert.ok(names.indexOf(parent) < i && names.includes(parent), `${name} before ${parent}`);
    }
    assert.equal(accountantFolders(260).length, 260);
  });

  it("is an accountant's tree: invoices by month, Polish names with diacritics", () => {
    assert.ok(names.includes('Faktury/2019/01'));
    assert.ok(names.includes('Faktury/2024/12'));
    assert.ok(names.filter((n) => /[^\x20-\x7e]/.test(n)).length >= 20);
  });

  it('holds no localized special-use name but the five English ones the destination creates', () => {
    const english = new Set(['Sent', 'Drafts', 'Trash', 'Junk', 'Archive']);
    const localized = new Set(Object.values(LOCALIZED_NAMES).flat());
    for (const name of names) {
      for (const level of name.split('/'))
        if (localized.has(level)) assert.ok(english.has(name), `${name} would be renamed by the mapping`);
    }
    for (const name of english) assert.ok(names.includes(name), name);
  });
});

describe('layouts', () => {
  it('an accountant layout gives 5-15 messages to each folder, the same for the same seed', () => {
    const [account] = accountantLayout(200, 7);
    const counts = account?.folders.map((f) => f.messages) ?? [];
    assert.equal(counts.length, 200);
    assert.ok(counts.every((n) => n >= 5 && n <= 15));
    const total = counts.reduce((s, n) => s + n, 0);
    assert.ok(total > 1800 && total < 2200, `total ${total}`);
    assert.deepEqual(accountantLayout(200, 7), accountantLayout(200, 7));
  });

  it('the standard corpus keeps its 20 folders unless asked for 24, and splits messages exactly', () => {
    const [standard] = corpusLayout({ seed: 1, accounts: 1, messagesPerAccount: 4000 });
    assert.equal(standard?.folders.length, 20);
    const [wide] = corpusLayout({ seed: 1, accounts: 1, messagesPerAccount: 1500, folders: 24 });
    assert.equal(wide?.folders.length, 24);
    assert.equal(
      wide?.folders.reduce((s, f) => s + f.messages, 0),
      1500,
    );
    assert.deepEqual(inboxLayout(30_000), [{ folders: [{ name: 'INBOX', messages: 30_000 }] }]);
  });
});
