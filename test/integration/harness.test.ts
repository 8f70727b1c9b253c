/**
 * The test harness itself: both Dovecot flavours start, accept logins in cleartext, over STARTTLS
 * and over implicit TLS, look like the providers they stand for (namespaces, SPECIAL-USE), store
 * what is appended byte for byte, and refuse a wrong password.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';

const USER = { user: 'harness@acme.example', password: 'harness-pass' };

type Transport = 'plain' | 'starttls' | 'tls';

function clientOptions(server: DovecotServer, transport: Transport, pass = USER.password): ImapFlowOptions {
  return {
    host: server.host,
    port: transport === 'tls' ? server.tlsPort : server.port,
    secure: transport === 'tls',
    doSTARTTLS: transport === 'starttls',
    // The harness certificate is self-signed.
    tls: { rejectUnauthorized: false },
    auth: { user: USER.user, pass },
    logger: false,
  };
}

/** Runs `fn` on a logged-in client and always logs out, so a failed assertion leaks no session. */
async function withClient<T>(
  server: DovecotServer,
  transport: Transport,
  fn: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = new ImapFlow(clientOptions(server, transport));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Appends `raw` to INBOX and reads it back by the UID the server reported (APPENDUID, RFC 4315). */
async function appendAndFetch(client: ImapFlow, raw: Buffer, flags: string[], date: Date) {
  const res = await client.append('INBOX', raw, flags, date);
  assert.ok(res && res.uid, 'APPEND returned no APPENDUID');
  const lock = await client.getMailboxLock('INBOX', { readOnly: true });
  try {
    const msg = await client.fetchOne(
      String(res.uid),
      { source: true, flags: true, internalDate: true },
      { uid: true },
    );
    assert.ok(msg, `UID ${res.uid} not found after APPEND`);
    return msg;
  } finally {
    lock.release();
  }
}

function sampleMessage(flavor: string): Buffer {
  return Buffer.from(
    [
      'From: =?UTF-8?Q?=C5=81ukasz_W=C3=B3jcik?= <lukasz.wojcik@budpol.example>',
      `To: ${USER.user}`,
      `Subject: =?UTF-8?B?${Buffer.from(`Test zapisu (${flavor})`).toString('base64')}?=`,
      'Date: Tue, 05 Mar 2024 10:00:00 +0100',
      `Message-ID: <harness-${flavor}@acme.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      // Raw UTF-8 in an 8bit body must come back byte for byte.
      'Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144.',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

describe('dovecot harness', () => {
  let source: DovecotServer | undefined;
  let destination: DovecotServer | undefined;

  before(async () => {
    const started = await Promise.allSettled([
      startDovecot({ flavor: 'source', users: [USER] }),
      startDovecot({ flavor: 'destination', users: [USER] }),
    ]);
    // Keep whichever started, so after() stops it even when the other one failed.
    if (started[0].status === 'fulfilled') source = started[0].value;
    if (started[1].status === 'fulfilled') destination = started[1].value;
    for (const s of started) if (s.status === 'rejected') throw s.reason;
  });

  after(async () => {
    await Promise.allSettled([source?.stop(), destination?.stop()]);
  });

  const servers = () => {
    assert.ok(source && destination, 'servers did not start');
    return { source, destination };
  };

  for (const flavor of ['source', 'destination'] as const) {
    for (const transport of ['plain', 'starttls', 'tls'] as const) {
      test(`${flavor}: logs in over ${transport}`, async () => {
        const server = servers()[flavor];
        await withClient(server, transport, async (client) => {
          assert.ok(client.authenticated, 'not authenticated');
          assert.equal(client.secureConnection, transport !== 'plain');
        });
      });
    }

    test(`${flavor}: stores an appended message byte for byte`, async () => {
      const raw = sampleMessage(flavor);
      const date = new Date(Date.UTC(2024, 2, 5, 9, 0, 7));
      await withClient(servers()[flavor], 'plain', async (client) => {
        const msg = await appendAndFetch(client, raw, ['\\Seen', '$label1'], date);
        assert.ok(msg.source?.equals(raw), 'fetched bytes differ from appended bytes');
        assert.ok(msg.flags?.has('\\Seen') && msg.flags.has('$label1'), `flags: ${[...(msg.flags ?? [])]}`);
        assert.equal(new Date(msg.internalDate ?? 0).getTime(), date.getTime());
      });
    });
  }

  test('source: cPanel-style namespace INBOX. with ".", no SPECIAL-USE', async () => {
    await withClient(servers().source, 'plain', async (client) => {
      assert.deepEqual(client.namespace, { prefix: 'INBOX.', delimiter: '.' });
      assert.equal(client.capabilities.has('SPECIAL-USE'), false);
      const folders = await client.list();
      assert.ok(
        folders.every((f) => f.specialUseSource !== 'extension'),
        'a folder carries a server-announced special use',
      );
    });
  });

  test('destination: namespace "" with "/", SPECIAL-USE folders', async () => {
    await withClient(servers().destination, 'plain', async (client) => {
      assert.deepEqual(client.namespace, { prefix: '', delimiter: '/' });
      assert.equal(client.capabilities.has('SPECIAL-USE'), true);
      const folders = await client.list();
      const announced = folders.flatMap((f) => [...f.flags]).filter((flag) => flag !== '\\HasNoChildren');
      for (const use of ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive']) {
        assert.ok(
          announced.includes(use),
          `no folder listed with ${use}; flags seen: ${announced.join(' ')}`,
        );
      }
      for (const f of folders) if (f.path !== 'INBOX') assert.equal(f.delimiter, '/');
    });
  });

  // Last: Dovecot delays the failed login (auth_failure_delay, 2 s) and then penalises further
  // logins from the same IP (anvil auth penalty), which would slow every test after this one.
  test('both: refuse a wrong password', async () => {
    const refused = async (server: DovecotServer) => {
      const client = new ImapFlow(clientOptions(server, 'plain', 'wrong-password'));
      try {
        await assert.rejects(client.connect(), (err: Error & { authenticationFailed?: boolean }) => {
          assert.equal(err.authenticationFailed, true, `${server.flavor}: unexpected error: ${err.message}`);
          return true;
        });
      } finally {
        client.close();
      }
    };
    const { source: src, destination: dst } = servers();
    await Promise.all([refused(src), refused(dst)]);
  });
});
