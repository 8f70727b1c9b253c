/**
 * The provider-shaped test servers themselves (issue 18): a Gmail-shaped Dovecot lists Gmail's tree
 * with Gmail's attributes and holds Gmail's copies; the X-GM-EXT-1 proxy answers X-GM-MSGID,
 * X-GM-THRID and X-GM-LABELS in the documented syntax and searches by them; a Microsoft-365-shaped
 * Dovecot lists Exchange's folders (English and Polish) and, through the fault proxy, refuses as
 * Exchange Online does. Each check compares with what the providers are recorded to send
 * (fixtures/providers/*.json), not with what the harness was told.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { connectPlain } from '../harness/dovecot.js';
import { createFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startGmailExtProxy, type GmailExtProxy } from '../harness/gmail-ext-proxy.js';
import {
  foldersOf,
  headerOf,
  sampleGmailAccount,
  startGmailShape,
  type GmailShape,
} from '../harness/gmail-shape.js';
import { messageKey } from '../harness/gmail-labels.js';
import {
  EXCHANGE_MAX_LINE_LENGTH,
  MICROSOFT_REPLIES,
  armInvalidHeaderRefusal,
  armLongLineRefusal,
  armReservedFolderNames,
  armSizeLimit,
  armThrottling,
} from '../harness/m365-faults.js';
import {
  M365_CAPABILITIES,
  sampleM365Account,
  startM365Shape,
  type M365Shape,
} from '../harness/m365-shape.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/providers');

interface RecordedFolder {
  path: string;
  flags: string[];
}

function recordedListing(file: string): RecordedFolder[] {
  return (
    JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { listing: { folders: RecordedFolder[] } }
  ).listing.folders;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Logs in, runs `fn`, always logs out. */
async function withClient<T>(
  server: { host: string; port: number },
  user: string,
  pass: string,
  fn: (c: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = await connectPlain(server, user, pass);
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Sends raw command lines and returns the whole exchange once `last` tag completes. */
async function transcript(port: number, lines: string[]): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  let out = '';
  const lastTag = lines[lines.length - 1]!.split(' ')[0]!;
  const done = new Promise<void>((resolve, reject) => {
    sock.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (new RegExp(`^${lastTag} (OK|NO|BAD)`, 'm').test(out)) resolve();
    });
    sock.on('error', reject);
    setTimeout(() => reject(new Error(`no answer to ${lastTag}:\n${out}`)), 20_000).unref();
  });
  await new Promise((r) => sock.once('data', r));
  for (const l of lines) sock.write(`${l}\r\n`);
  await done;
  sock.destroy();
  return out;
}

/** Every folder's messages as (key of the message in the sample) -> sha256 of its bytes. */
async function contents(
  client: ImapFlow,
  keyOf: Map<string, string>,
): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const f of await client.list()) {
    if (f.flags.has('\\Noselect')) continue;
    const lock = await client.getMailboxLock(f.path, { readOnly: true });
    const held = new Map<string, string>();
    try {
      for await (const m of client.fetch('1:*', { source: true }, { uid: true })) {
        if (!m.source) continue;
        const key = keyOf.get(messageKey(headerOf(m.source)));
        assert.ok(key, `${f.path}: a message the sample does not have`);
        held.set(key, sha(m.source));
      }
    } catch (err) {
      if (!/empty|Invalid messageset/i.test(String(err))) throw err;
    } finally {
      lock.release();
    }
    out.set(f.path, held);
  }
  return out;
}

describe('Gmail-shaped Dovecot and the X-GM-EXT-1 proxy', () => {
  const account = sampleGmailAccount('anna@gmail-shape.example', 'anna-pass');
  let gmail: GmailShape;
  let proxy: GmailExtProxy;
  const login = <T>(port: number, fn: (c: ImapFlow) => Promise<T>) =>
    withClient({ host: '127.0.0.1', port }, account.user, account.password, fn);

  before(async () => {
    gmail = await startGmailShape({ accounts: [account] });
    proxy = await startGmailExtProxy({
      target: { host: '127.0.0.1', port: gmail.server.port },
      table: gmail.table,
    });
  });
  after(async () => {
    await proxy?.stop();
    await gmail?.stop();
  });

  test('lists the special folders with the attributes Gmail lists them with', async () => {
    const listed = await login(gmail.server.port, (c) => c.list());
    const byPath = new Map(listed.map((f) => [f.path, f.flags]));
    for (const recorded of recordedListing('gmail.json')) {
      const flags = byPath.get(recorded.path);
      assert.ok(flags, `${recorded.path} is not listed`);
      for (const attr of recorded.flags.filter((a) => !/^\\Has(No)?Children$/.test(a)))
        assert.ok(flags.has(attr), `${recorded.path} lacks ${attr}: ${[...flags].join(' ')}`);
    }
    assert.ok(byPath.get('Klienci')?.has('\\HasChildren'), 'a nested label has a selectable parent label');
    assert.ok(!byPath.get('Klienci')?.has('\\Noselect'));
    assert.ok(byPath.has('Klienci/\u017babka') && byPath.has('Archiwum 2019'));
  });

  test('All Mail holds every message but spam and trash; each label folder holds the same bytes', async () => {
    const keyOf = new Map(account.messages.map((m) => [messageKey(headerOf(m.raw)), m.key]));
    const held = await login(gmail.server.port, (c) => contents(c, keyOf));
    for (const m of account.messages) {
      const expected = new Set(foldersOf(m, gmail.folders));
      for (const [folder, msgs] of held) {
        assert.equal(msgs.has(m.key), expected.has(folder), `${m.key} in ${folder}`);
        if (msgs.has(m.key))
          assert.equal(msgs.get(m.key), sha(m.raw), `${m.key} in ${folder} has other bytes`);
      }
    }
    const onlyInAllMail = account.messages
      .filter((m) => [...held].every(([f, msgs]) => (f === gmail.folders.all) === msgs.has(m.key)))
      .map((m) => m.key);
    assert.deepEqual(onlyInAllMail.sort(), ['archived-1', 'archived-2']);
    assert.ok(!held.get(gmail.folders.all)?.has('spam') && !held.get(gmail.folders.all)?.has('trash'));
  });

  test('advertises X-GM-EXT-1 and answers the X-GM items in the documented syntax', async () => {
    const out = await transcript(proxy.port, [
      `a LOGIN ${account.user} ${account.password}`,
      'b CAPABILITY',
      'c EXAMINE "[Gmail]/All Mail"',
      'd FETCH 1:* (X-GM-MSGID X-GM-THRID X-GM-LABELS)',
    ]);
    assert.match(out, /^\* CAPABILITY .* X-GM-EXT-1\r$/m);
    const rows = [
      ...out.matchAll(/^\* (\d+) FETCH \(X-GM-THRID (\d+) X-GM-MSGID (\d+) X-GM-LABELS \((.*)\)\)\r$/gm),
    ];
    assert.equal(rows.length, account.messages.filter((m) => !m.spam && !m.trash).length, out);
    for (const [, , thrid, msgid] of rows) {
      for (const id of [thrid!, msgid!]) assert.ok(BigInt(id) < 2n ** 64n && BigInt(id) > 2n ** 53n, id);
    }
    const multi = gmail.table.get('<multi@gmail-shape.example>')!;
    const row = rows.find((r) => r[3] === String(multi.msgid));
    assert.ok(row, 'the multi-labelled message is missing');
    assert.equal(row[4], 'Klienci/ACME Projekty/Migracja Faktury');
    assert.match(
      out,
      /X-GM-LABELS \("\\\\Inbox" "\\\\Starred"\)/,
      'system labels are quoted as Gmail sends them',
    );
    assert.match(out, /X-GM-LABELS \(Klienci\/&AXs-abka\)/, 'a non-ASCII label is modified UTF-7');
  });

  test('X-GM-MSGID is the same in every folder; the selected folder\u2019s own label is left out', async () => {
    const multi = gmail.table.get('<multi@gmail-shape.example>')!;
    const seen = await login(proxy.port, async (c) => {
      const rows: { folder: string; id?: string; labels: string[] }[] = [];
      for (const folder of [gmail.folders.all, 'Klienci/ACME', 'Faktury', 'Projekty/Migracja']) {
        const lock = await c.getMailboxLock(folder, { readOnly: true });
        try {
          for await (const m of c.fetch('1:*', { uid: true, labels: true, envelope: true }, { uid: true }))
            if (m.envelope?.subject === 'Faktura za migracje')
              rows.push({ folder, id: m.emailId, labels: [...(m.labels ?? [])] });
        } finally {
          lock.release();
        }
      }
      return rows;
    });
    assert.equal(seen.length, 4);
    for (const r of seen) {
      assert.equal(r.id, String(multi.msgid), `${r.folder}: X-GM-MSGID differs`);
      assert.ok(!r.labels.includes(r.folder), `${r.folder} lists its own label`);
    }
    assert.deepEqual(seen[0]!.labels, ['Klienci/ACME', 'Projekty/Migracja', 'Faktury']);
  });

  test('SEARCH by X-GM-MSGID and X-GM-THRID finds the copies; a client header request survives', async () => {
    const first = gmail.table.get('<labelled@gmail-shape.example>')!;
    await login(proxy.port, async (c) => {
      const lock = await c.getMailboxLock('Klienci/ACME', { readOnly: true });
      try {
        assert.deepEqual(await c.search({ emailId: String(first.msgid) }, { uid: true }), [1]);
        assert.deepEqual(await c.search({ threadId: String(first.thrid) }, { uid: true }), [1, 2]);
        const m = await c.fetchOne('1', { headers: true, labels: true }, { uid: true });
        assert.ok(m && m.headers?.toString().includes('Subject: Umowa ACME'), 'BODY[HEADER] was dropped');
        assert.deepEqual([...(m.labels ?? [])], ['\\Inbox']);
      } finally {
        lock.release();
      }
    });
    assert.ok(proxy.splicedResponses > 0);
  });
});

describe('Microsoft-365-shaped Dovecot and its refusals', () => {
  const en = sampleM365Account('jan@m365-shape.example', 'jan-pass');
  const pl = sampleM365Account('ola@m365-shape.example', 'ola-pass', 'pl');
  let english: M365Shape;
  let polish: M365Shape;
  let proxy: FaultProxy;
  const viaProxy = <T>(fn: (c: ImapFlow) => Promise<T>) =>
    withClient({ host: '127.0.0.1', port: proxy.port }, en.user, en.password, fn);
  const message = (body: string, header = 'Subject: test') =>
    Buffer.from(
      `From: <a@acme.example>\r\n${header}\r\nMessage-ID: <${sha(Buffer.from(body)).slice(0, 12)}@x>\r\n\r\n${body}\r\n`,
    );

  before(async () => {
    [english, polish] = await Promise.all([
      startM365Shape({ accounts: [en] }),
      startM365Shape({ accounts: [pl], locale: 'pl' }),
    ]);
    proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: english.server.port } });
  });
  after(async () => {
    await proxy?.stop();
    await english?.stop();
    await polish?.stop();
  });

  test('announces Exchange\u2019s capabilities, no SPECIAL-USE, yet lists the attributes Exchange lists', async () => {
    const out = await transcript(english.server.port, [`a LOGIN ${en.user} ${en.password}`, 'b LIST "" "*"']);
    assert.match(out, /^\* OK .*The Microsoft Exchange IMAP4 service is ready\./m);
    assert.match(out, new RegExp(`a OK \\[CAPABILITY ${M365_CAPABILITIES.replace('+', '\\+')}\\]`));
    assert.doesNotMatch(out, /SPECIAL-USE/);
    for (const recorded of recordedListing('microsoft365.json').filter((f) => f.path !== 'Trash')) {
      const line = new RegExp(
        `^\\* LIST \\(([^)]*)\\) "/" "?${recorded.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\r$`,
        'm',
      ).exec(out);
      assert.ok(line, `${recorded.path} is not listed:\n${out}`);
      const special = recorded.flags.filter((a) => /^\\(Sent|Trash|Junk|Drafts|Archive)$/.test(a));
      for (const attr of special)
        assert.ok(line[1]!.split(' ').includes(attr), `${recorded.path} lacks ${attr}`);
      if (special.length === 0) assert.doesNotMatch(line[1]!, /\\(Sent|Trash|Junk|Drafts|Archive|All)\b/);
    }
  });

  test('a Polish mailbox lists its localized names with the same attributes', async () => {
    const listed = await withClient(polish.server, pl.user, pl.password, (c) => c.list());
    const flags = new Map(listed.map((f) => [f.path, f.flags]));
    assert.ok(flags.get('Elementy wys\u0142ane')?.has('\\Sent'));
    assert.ok(flags.get('Elementy usuni\u0119te')?.has('\\Trash'));
    assert.ok(flags.get('Wiadomo\u015bci-\u015bmieci')?.has('\\Junk'));
    assert.ok(flags.has('Kalendarz') && flags.has('Problemy z synchronizacj\u0105/Konflikty'));
    const excluded = polish.folders.filter((f) => f.exclude).map((f) => f.name);
    for (const name of excluded) assert.ok(flags.has(name), `${name} is not listed`);
  });

  test('throttling: Exchange\u2019s reply, which imapflow reads as ETHROTTLE with the backoff', async () => {
    const handle = armThrottling(proxy, { command: /^APPEND/i, backoffMs: 40 });
    await viaProxy(async (c) => {
      const err = await c.append('INBOX', message('throttled'), ['\\Seen']).then(
        () => undefined,
        (e: unknown) => e as { code?: string; throttleReset?: number; responseText?: string },
      );
      assert.ok(err, 'the throttled APPEND succeeded');
      assert.equal(err.code, 'ETHROTTLE');
      assert.equal(err.throttleReset, 40);
      assert.equal(err.responseText, 'Request is throttled. Suggested Backoff Time: 40 milliseconds');
      assert.ok(await c.append('INBOX', message('after the backoff'), ['\\Seen']), 'the retry failed');
    });
    assert.equal(handle.fired, 1);
  });

  test('refuses oversized messages, over-long lines and broken headers with Exchange\u2019s texts', async () => {
    proxy.clearFaults();
    armSizeLimit(proxy, 64 * 1024);
    armLongLineRefusal(proxy);
    armInvalidHeaderRefusal(proxy);
    armReservedFolderNames(proxy);
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: { responseStatus?: string; responseText?: string }) => `${e.responseStatus} ${e.responseText}`,
      );
    const strip = (reply: string) => reply.replace('{tag} ', '');
    await viaProxy(async (c) => {
      assert.equal(
        await refusal(c.append('INBOX', message('x'.repeat(70 * 1024).replace(/(.{76})/g, '$1\r\n')))),
        strip(MICROSOFT_REPLIES.appendTooBig),
      );
      assert.equal(
        await refusal(c.append('INBOX', message('y'.repeat(EXCHANGE_MAX_LINE_LENGTH + 1)))),
        strip(MICROSOFT_REPLIES.commandError10),
      );
      assert.equal(
        await refusal(c.append('INBOX', message('z'.repeat(EXCHANGE_MAX_LINE_LENGTH)))),
        'accepted',
      );
      assert.equal(
        await refusal(c.append('INBOX', message('h', 'Subject: ok\r\nthis line is no header'))),
        strip(MICROSOFT_REPLIES.argumentError11),
      );
      assert.equal(await refusal(c.append('INBOX', message('small'))), 'accepted');
      assert.equal(await refusal(c.mailboxCreate('Files')), strip(MICROSOFT_REPLIES.reservedName));
    });
  });
});
