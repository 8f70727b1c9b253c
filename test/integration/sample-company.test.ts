/**
 * The test data: the sample company is deterministic and holds every promised corner, seeding it
 * into a real source Dovecot gives exactly the folders, subscriptions, flags, dates and bytes it
 * describes, and the committed .eml fixtures and generated big messages are what they claim.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { connectPlain, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import {
  destinationUsers,
  sampleCompany,
  sampleTotals,
  seedSource,
  serverPath,
  sourceUsers,
  type SampleAccount,
  type SampleMessage,
} from '../harness/sample-company.js';
import { makeBigMessage } from '../harness/big-message.js';

function allMessages(
  accounts: SampleAccount[],
): { account: string; folder: string; message: SampleMessage }[] {
  return accounts.flatMap((a) =>
    a.folders.flatMap((f) => f.messages.map((message) => ({ account: a.user, folder: f.name, message }))),
  );
}

function headerValue(raw: Buffer, name: string): string | undefined {
  const head = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
  const match = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return match?.[1];
}

describe('sample company (offline)', () => {
  const accounts = sampleCompany();
  const messages = allMessages(accounts);

  test('two calls give byte-identical data', () => {
    assert.deepStrictEqual(sampleCompany(), accounts);
  });

  test('accounts, folders and sizes are as promised', () => {
    assert.deepEqual(
      accounts.map((a) => a.user),
      ['kontakt@acme.example', 'sprzedaz@acme.example', 'ksiegowosc@acme.example', 'rekrutacja@acme.example'],
    );
    assert.deepEqual(
      destinationUsers(accounts).map((u) => u.password),
      ['dst-kontakt-pass', 'dst-sprzedaz-pass', 'dst-ksiegowosc-pass', 'dst-rekrutacja-pass'],
    );
    const names = new Set(accounts.flatMap((a) => a.folders.map((f) => f.name)));
    for (const wanted of [
      'INBOX',
      'Wysłane',
      'Kosz',
      'Robocze',
      'Spam',
      'Faktury',
      'Faktury/2024',
      'Faktury/2023',
      'Klienci',
      'Klienci/Ważne',
      'Klienci - stali',
      'R&D',
      '[Archiwum]',
    ]) {
      assert.ok(names.has(wanted), `no folder ${wanted}`);
    }
    const folders = accounts.flatMap((a) => a.folders);
    assert.ok(
      folders.some((f) => f.messages.length === 0),
      'no empty folder',
    );
    assert.ok(
      folders.some((f) => !f.subscribed),
      'no unsubscribed folder',
    );
    assert.ok(
      folders.some((f) => f.name.split('/').length >= 3),
      'no folder three levels deep',
    );
    for (const a of accounts) {
      const seen = new Set<string>();
      for (const f of a.folders) {
        const parent = f.name.split('/').slice(0, -1).join('/');
        assert.ok(!parent || seen.has(parent), `${a.user}: ${f.name} listed before its parent`);
        seen.add(f.name);
      }
    }
    const totals = sampleTotals(accounts);
    assert.ok(totals.messages >= 150 && totals.messages <= 300, `messages: ${totals.messages}`);
    const midSized = messages.filter(
      (m) => m.message.raw.length >= 1024 && m.message.raw.length <= 30 * 1024,
    );
    assert.ok(midSized.length / messages.length > 0.9, 'most messages should be 1-30 KB');
  });

  test('every message is CRLF RFC 5322 with a date in 2019-2025 and parses cleanly', async () => {
    for (const { account, folder, message } of messages) {
      const where = `${account}/${folder} ${message.internalDate.toISOString()}`;
      const text = message.raw.toString('latin1');
      assert.doesNotMatch(text, /[^\r]\n|\r[^\n]/, `${where}: bare CR or LF`);
      assert.ok(
        text.split('\r\n').every((l) => l.length <= 998),
        `${where}: line over 998`,
      );
      const year = message.internalDate.getUTCFullYear();
      assert.ok(year >= 2019 && year <= 2025, `${where}: year ${year}`);
      assert.equal(message.internalDate.getUTCMilliseconds(), 0, `${where}: IMAP dates have no milliseconds`);
      const parsed = await simpleParser(message.raw);
      assert.ok(parsed.subject && !parsed.subject.includes('=?'), `${where}: subject ${parsed.subject}`);
      for (const att of parsed.attachments) {
        assert.ok(
          att.filename && !/=\?|%[0-9A-F]{2}/.test(att.filename),
          `${where}: filename ${att.filename}`,
        );
      }
    }
    const raw = messages.map((m) => m.message.raw.toString('latin1')).join('\n');
    for (const marker of [
      'charset=utf-8',
      'charset=iso-8859-2',
      'quoted-printable',
      'Content-Transfer-Encoding: 8bit',
      'Content-Transfer-Encoding: base64',
      'multipart/mixed',
      'multipart/alternative',
      '=?UTF-8?B?',
      '=?ISO-8859-2?Q?',
    ]) {
      assert.ok(raw.includes(marker), `no message with ${marker}`);
    }
  });

  test('flags and keywords are where a mail client would put them', () => {
    const flags = new Set(messages.flatMap((m) => m.message.flags));
    for (const flag of [
      '\\Seen',
      '\\Answered',
      '\\Flagged',
      '\\Draft',
      '$Forwarded',
      '$label1',
      'NonJunk',
      'Junk',
    ]) {
      assert.ok(flags.has(flag), `no message flagged ${flag}`);
    }
    for (const { folder, message } of messages) {
      if (message.flags.includes('\\Draft')) assert.equal(folder, 'Robocze');
      if (message.flags.includes('Junk')) assert.equal(folder, 'Spam');
    }
  });

  test('the corner cases are there', () => {
    const corner = (name: string) => messages.filter((m) => m.message.corner === name);
    const [noId, ...moreNoId] = corner('no-message-id');
    assert.ok(noId && moreNoId.length === 0);
    assert.equal(headerValue(noId.message.raw, 'Message-ID'), undefined);

    const shared = corner('shared-message-id');
    assert.equal(shared.length, 2);
    const [s1, s2] = shared.map((m) => m.message.raw);
    assert.ok(s1 && s2 && !s1.equals(s2), 'shared Message-ID messages must differ');
    assert.equal(headerValue(s1, 'Message-ID'), headerValue(s2, 'Message-ID'));

    const dup = corner('exact-duplicate');
    assert.equal(dup.length, 2);
    assert.equal(dup[0]?.folder, dup[1]?.folder);
    assert.ok(dup[0]?.message.raw.equals(dup[1]?.message.raw ?? Buffer.alloc(0)));

    const two = corner('in-two-folders');
    assert.equal(two.length, 2);
    assert.equal(two[0]?.account, two[1]?.account);
    assert.notEqual(two[0]?.folder, two[1]?.folder);
    assert.ok(two[0]?.message.raw.equals(two[1]?.message.raw ?? Buffer.alloc(0)));
  });
});

describe('sample company seeded into a source Dovecot', () => {
  const accounts = sampleCompany();
  let server: DovecotServer | undefined;

  before(async () => {
    server = await startDovecot({ flavor: 'source', users: sourceUsers(accounts) });
    await seedSource(server, accounts);
  });

  after(async () => {
    await server?.stop();
  });

  async function withAccount<T>(account: SampleAccount, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    assert.ok(server, 'server did not start');
    const client = await connectPlain(server, account.user, account.password);
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  test('every folder exists, with its subscription and message count, and nothing else', async () => {
    await Promise.all(
      accounts.map((account) =>
        withAccount(account, async (client) => {
          const listed = await client.list({ statusQuery: { messages: true } });
          const byPath = new Map(listed.map((f) => [f.path, f]));
          for (const f of account.folders) {
            const path = serverPath(f.name);
            const entry = byPath.get(path);
            assert.ok(entry, `${account.user}: ${path} not listed`);
            assert.ok(!entry.flags.has('\\Noselect'), `${account.user}: ${path} is \\Noselect`);
            // imapflow always reports INBOX as subscribed; the others come from LIST RETURN (SUBSCRIBED).
            assert.equal(!!entry.subscribed, f.subscribed, `${account.user}: ${path} subscribed`);
            assert.equal(entry.status?.messages, f.messages.length, `${account.user}: ${path} count`);
          }
          assert.deepEqual(
            listed.map((f) => f.path).sort(),
            account.folders.map((f) => serverPath(f.name)).sort(),
            `${account.user}: unexpected folders`,
          );
        }),
      ),
    );
  });

  test('flags, keywords, internal dates and sizes match; sampled bytes are identical', async () => {
    await Promise.all(
      accounts.map((account) =>
        withAccount(account, async (client) => {
          for (const f of account.folders) {
            if (f.messages.length === 0) continue;
            const path = serverPath(f.name);
            const lock = await client.getMailboxLock(path, { readOnly: true });
            try {
              const fetched = await client.fetchAll('1:*', {
                uid: true,
                flags: true,
                internalDate: true,
                size: true,
              });
              fetched.sort((a, b) => a.uid - b.uid);
              assert.equal(fetched.length, f.messages.length, `${account.user}: ${path} count`);
              const sampled: number[] = [];
              f.messages.forEach((want, i) => {
                const got = fetched[i];
                const where = `${account.user}: ${path} #${i + 1}`;
                assert.ok(got, where);
                const flags = [...(got.flags ?? [])].filter((x) => x !== '\\Recent').sort();
                assert.deepEqual(flags, [...want.flags].sort(), `${where} flags`);
                assert.equal(
                  new Date(got.internalDate ?? 0).getTime(),
                  want.internalDate.getTime(),
                  `${where} date`,
                );
                assert.equal(got.size, want.raw.length, `${where} size`);
                if (i === 0 || i === f.messages.length - 1 || want.corner) sampled.push(i);
              });
              for (const i of sampled) {
                const uid = fetched[i]?.uid;
                const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
                assert.ok(
                  msg && msg.source?.equals(f.messages[i]?.raw ?? Buffer.alloc(0)),
                  `${path} UID ${uid} bytes`,
                );
              }
            } finally {
              lock.release();
            }
          }
        }),
      ),
    );
  });
});

describe('hard-corner fixtures and big messages', () => {
  const fixture = (name: string) => readFileSync(new URL(`../../fixtures/eml/${name}`, import.meta.url));

  test('each .eml fixture holds the corner its README names', () => {
    const bareLf = fixture('bare-lf.eml');
    assert.ok(bareLf.includes('\n') && !bareLf.includes('\r'), 'bare-lf.eml must use LF only');
    assert.ok(fixture('nul-byte.eml').includes(0), 'nul-byte.eml has no NUL');
    const raw8 = fixture('raw-8bit-headers.eml');
    const head = raw8.subarray(0, raw8.indexOf('\r\n\r\n'));
    assert.ok(
      head.some((b) => b >= 0x80),
      'raw-8bit-headers.eml has ASCII headers',
    );
    const longest = Math.max(
      ...fixture('long-line.eml')
        .toString('latin1')
        .split('\r\n')
        .map((l) => l.length),
    );
    assert.equal(longest, 20_000);
    const malformed = fixture('malformed-header.eml').toString('latin1');
    const malformedHead = malformed.slice(0, malformed.indexOf('\r\n\r\n')).split('\r\n');
    assert.ok(
      malformedHead.some((l) => !l.includes(':') && !/^[ \t]/.test(l)),
      'malformed-header.eml: no colon-less line',
    );
    assert.equal(headerValue(fixture('no-message-id.eml'), 'Message-ID'), undefined);
    const empty = fixture('empty-body.eml');
    assert.equal(empty.indexOf('\r\n\r\n') + 4, empty.length, 'empty-body.eml has a body');
  });

  test('makeBigMessage builds a parseable message of exactly the size asked for', async () => {
    for (const size of [1024, 1027, 65_537, 1_000_000]) {
      const message = makeBigMessage(size, 3);
      assert.equal(message.length, size);
      const parsed = await simpleParser(message);
      assert.equal(parsed.attachments.length, 1);
    }
    assert.ok(makeBigMessage(4096, 5).equals(makeBigMessage(4096, 5)));
    assert.ok(!makeBigMessage(4096, 5).equals(makeBigMessage(4096, 6)));
    assert.throws(() => makeBigMessage(100), RangeError);
  });
});
