/**
 * The burst scan of verify (src/imap/scan-pipeline.ts) against real Dovecot: every folder of a
 * burst is examined and scanned with all commands written before any answer is read, and every
 * answer lands in its own folder (status and messages equal imapflow's reading of each folder, a
 * refused folder in the middle shifts nothing). A gate in front of Dovecot holds back the server's
 * answers until every command of the burst has arrived: a client that waited for an answer before
 * the next folder would never get one, and the test would fail on its deadline.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ScanPipeline } from '../../src/imap/scan-pipeline.js';
import { examine, scanMessages, scanUids } from '../../src/imap/mailbox-reader.js';
import { StoreError } from '../../src/core/errors.js';
import { MAX_UID, uidRanges } from '../../src/core/uid-ranges.js';
import { connectPlain, startDovecot, type DovecotServer } from '../harness/dovecot.js';

const USER = { user: 'anna@firma.pl', password: 'secret-Pa55' };
/** Folders of the burst: several sizes, an empty one, and names that need modified UTF-7. */
const FOLDERS = [
  'INBOX',
  'Faktury/2024',
  'Pusty',
  'Wyci\u0105gi bankowe',
  'Klienci/Piekarnia \u0141\u0105cka',
  'Archive',
];
const MISSING = 'Nie ma takiego';

function message(folder: string, i: number): string {
  return (
    `From: Anna <anna@firma.pl>\r\nTo: biuro@firma.pl\r\nSubject: ${folder} ${i}\r\n` +
    `Message-ID: <${i}.${folder.length}@firma.pl>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100\r\n\r\nbody ${i}\r\n`
  );
}

/**
 * A proxy that holds back everything the server sends from the first command of the burst (the
 * first EXAMINE) until `expected` EXAMINE and UID FETCH commands have reached the server.
 */
async function gate(target: DovecotServer, expected: number): Promise<{ port: number; close(): void }> {
  return relay(target, () => {
    let seen = 0;
    let held: Buffer[] = [];
    return {
      fromClient: (d, toClient) => {
        seen += (d.toString('latin1').match(/^\S+ (EXAMINE|UID FETCH) /gm) ?? []).length;
        if (seen >= expected && held.length > 0) {
          toClient(Buffer.concat(held));
          held = [];
        }
      },
      fromServer: (d) => {
        if (seen > 0 && seen < expected) {
          held.push(d);
          return false;
        }
        return true;
      },
    };
  });
}

/**
 * A TCP relay to `target` on 127.0.0.1: each connection's hooks see what the client sends (passed
 * on after the hook) and what the server sends (passed on when its hook says so).
 */
async function relay(
  target: DovecotServer,
  hooks: () => {
    fromClient(d: Buffer, toClient: (d: Buffer) => void): void;
    fromServer?(d: Buffer): boolean;
  },
): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const h = hooks();
    client.on('data', (d) => {
      upstream.write(d);
      h.fromClient(d, (b) => client.write(b));
    });
    upstream.on('data', (d) => {
      if (h.fromServer?.(d) ?? true) client.write(d);
    });
    for (const s of [client, upstream]) s.on('error', () => undefined).on('close', () => s.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** The folders of a burst: a missing one among them, which the server refuses alone. */
const BURST_PATHS = [...FOLDERS.slice(0, 3), MISSING, ...FOLDERS.slice(3)];

/** mailshift's scanning connection, logged in through the gate at `port`. */
function openScanner(port: number): Promise<ScanPipeline> {
  return ScanPipeline.open({
    host: '127.0.0.1',
    port,
    security: 'none',
    tlsVerify: false,
    user: USER.user,
    password: USER.password,
    timeoutMs: 10_000,
  });
}

/** The burst's answers; the gate holds them back until every command is written, so none means it was not. */
function answeredInTime<T>(answers: Promise<T>): Promise<T> {
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('no answer: the burst was not written at once')), 8000).unref(),
  );
  return Promise.race([answers, deadline]);
}

describe('burst scan of many folders (real Dovecot)', () => {
  let dovecot: DovecotServer;

  before(async () => {
    dovecot = await startDovecot({ flavor: 'destination', users: [USER] });
    const client = await connectPlain(dovecot, USER.user, USER.password);
    try {
      for (const [n, folder] of FOLDERS.entries()) {
        if (folder !== 'INBOX') await client.mailboxCreate(folder);
        const count = folder === 'Pusty' ? 0 : n + 2;
        for (let i = 0; i < count; i++)
          await client.append(folder, message(folder, i), i % 2 ? ['\\Seen', '$Forwarded'] : ['\\Flagged']);
      }
    } finally {
      await client.logout();
    }
  });

  after(async () => {
    await dovecot?.stop();
  });

  it('writes every folder of the burst before reading an answer, and attributes each answer to its folder', async () => {
    const paths = BURST_PATHS;
    const proxy = await gate(dovecot, paths.length * 2);
    const scanner = await openScanner(proxy.port);
    try {
      const scans = await answeredInTime(scanner.scanFolders(paths));
      assert.deepEqual(
        scans.map((s) => s.path),
        paths,
      );
      const reference = await connectPlain(dovecot, USER.user, USER.password);
      try {
        for (const s of scans) {
          if (s.path === MISSING) {
            assert.ok('error' in s && s.error instanceof StoreError, 'the missing folder is refused');
            assert.equal(s.error.kind, 'refused');
            continue;
          }
          assert.ok(!('error' in s), `${s.path} was read`);
          const opened = await examine(reference, s.path);
          const metas = await scanMessages(reference, 1);
          assert.equal(s.status.uidValidity, opened.status.uidValidity, `${s.path}: UIDVALIDITY`);
          assert.equal(s.status.uidNext, opened.status.uidNext, `${s.path}: UIDNEXT`);
          assert.equal(s.status.messages, metas.length, `${s.path}: EXISTS`);
          // \Recent goes to whichever session opens the folder first (RFC 3501 section 2.3.2).
          const plain = (ms: typeof metas) =>
            ms.map((m) => ({ ...m, flags: m.flags.filter((f) => f !== '\\Recent').sort() }));
          assert.deepEqual(plain(s.messages), plain(metas), `${s.path}: messages`);
        }
        assert.equal(
          scans.find((s) => s.path === 'Pusty' && !('error' in s) && s.messages.length === 0)?.path,
          'Pusty',
        );
      } finally {
        await reference.logout();
      }
    } finally {
      await scanner.close();
      proxy.close();
    }
  });
  it('examines a burst of folders at once: status and PERMANENTFLAGS of each, a refused one alone', async () => {
    const paths = BURST_PATHS;
    const proxy = await gate(dovecot, paths.length);
    const scanner = await openScanner(proxy.port);
    const reference = await connectPlain(dovecot, USER.user, USER.password);
    try {
      const openings = await answeredInTime(scanner.examineFolders(paths));
      assert.deepEqual(
        openings.map((o) => o.path),
        paths,
      );
      for (const o of openings) {
        if (o.path === MISSING) {
          assert.ok('error' in o && o.error.kind === 'refused', 'the missing folder is refused');
          continue;
        }
        assert.ok(!('error' in o), `${o.path} was opened`);
        const opened = await examine(reference, o.path);
        assert.deepEqual(o.opened.status, opened.status, `${o.path}: status`);
        assert.deepEqual(o.opened.permanentFlags, opened.permanentFlags, `${o.path}: PERMANENTFLAGS`);
      }
    } finally {
      await reference.logout();
      await scanner.close();
      proxy.close();
    }
  });

  it('scans lean without the header fields, then reads them for chosen UIDs (in one round trip on its own connection)', async () => {
    const folder = 'Wyci\u0105gi bankowe';
    const reference = await connectPlain(dovecot, USER.user, USER.password);
    const lean = await openScanner(dovecot.port);
    const proxy = await gate(dovecot, 2);
    const scanner = await openScanner(proxy.port);
    try {
      await examine(reference, folder);
      const whole = await scanMessages(reference, 1);
      assert.ok(whole.length >= 4 && whole.every((m) => m.identity.startsWith('mid:') && m.messageId));
      const plain = (ms: typeof whole) =>
        ms.map((m) => ({ ...m, flags: m.flags.filter((f) => f !== '\\Recent').sort() }));

      const [read] = await lean.scanFolders([folder], { identity: false });
      assert.ok(read && !('error' in read));
      assert.deepEqual(
        plain(read.messages),
        plain(whole).map(({ messageId: _, ...m }) => ({ ...m, identity: '' })),
        'flags, dates and sizes as a whole scan, no identity',
      );

      const chosen = [whole[1]!.uid, whole[3]!.uid];
      // Two single UIDs, and a range after the last message that holds none.
      const ranges = [...uidRanges(chosen), [99_999, MAX_UID] as const];
      const some = await answeredInTime(scanner.scanUids(folder, ranges));
      assert.ok(!('error' in some));
      assert.deepEqual(some.status.uidValidity, read.status.uidValidity);
      assert.deepEqual(plain(some.messages), plain([whole[1]!, whole[3]!]), 'a UID no message has is absent');
      // The same on imapflow (a copy lane's destination): EXAMINE, then the FETCH.
      const flow = await scanUids(reference, folder, ranges);
      assert.ok(!('error' in flow));
      assert.deepEqual(plain(flow.messages), plain(some.messages));

      const missing = await scanner.scanUids(MISSING, [[1, 1]]);
      assert.ok('error' in missing && missing.error.kind === 'refused', 'a missing folder is refused');
    } finally {
      await reference.logout();
      await Promise.all([lean.close(), scanner.close()]);
      proxy.close();
    }
  });
});

/** A pass-through relay that counts the EXAMINE commands it sees. */
async function examineCounter(
  target: DovecotServer,
): Promise<{ port: number; examines(): number; close(): void }> {
  let count = 0;
  const relayed = await relay(target, () => ({
    fromClient: (d) => {
      count += (d.toString('latin1').match(/^\S+ EXAMINE /gm) ?? []).length;
    },
  }));
  return { ...relayed, examines: () => count };
}

describe('a folder read a slice at a time (real Dovecot)', () => {
  let dovecot: DovecotServer;
  const folder = 'Faktury/2024';

  before(async () => {
    dovecot = await startDovecot({ flavor: 'destination', users: [USER] });
    const client = await connectPlain(dovecot, USER.user, USER.password);
    try {
      await client.mailboxCreate(folder);
      for (let i = 0; i < 6; i++) await client.append(folder, message(folder, i), i % 2 ? ['\\Seen'] : []);
    } finally {
      await client.logout();
    }
  });
  after(async () => dovecot?.stop());

  it('examines once for slices asked one after the other, and again after another folder', async () => {
    const counter = await examineCounter(dovecot);
    const scanner = await openScanner(counter.port);
    try {
      // Both slices asked at once, as verify asks for the next while it reads this one.
      const [first, second] = await Promise.all([
        scanner.scanUids(folder, [[1, 3]], { identity: false }),
        scanner.scanUids(folder, [[4, MAX_UID]]),
      ]);
      assert.ok(!('error' in first) && !('error' in second));
      assert.equal(counter.examines(), 1, 'one EXAMINE for both slices');
      assert.deepEqual(second.status, first.status);
      assert.equal(first.status.messages, 6);
      assert.deepEqual(
        first.messages.map((m) => [m.uid, m.identity]),
        [
          [1, ''],
          [2, ''],
          [3, ''],
        ],
      );
      assert.deepEqual(
        second.messages.map((m) => m.uid),
        [4, 5, 6],
      );
      assert.ok(second.messages.every((m) => m.messageId?.endsWith('@firma.pl>')));

      await scanner.scanFolders(['INBOX']);
      const again = await scanner.scanUids(folder, [[1, 2]]);
      assert.ok(!('error' in again));
      assert.deepEqual(
        again.messages.map((m) => m.uid),
        [1, 2],
      );
      assert.equal(counter.examines(), 3, 'another folder was examined in between: examined again');

      for (let i = 0; i < 2; i++) {
        const missing = await scanner.scanUids(MISSING, [[1, 1]]);
        assert.ok('error' in missing && missing.error.kind === 'refused');
      }
      assert.equal(counter.examines(), 5, 'a refused folder is asked for again');
    } finally {
      await scanner.close();
      counter.close();
    }
  });
});
