/**
 * Discovery (src/plan/discovery.ts) with fake readers: what it reads per folder, how a refused
 * folder, a lost connection and a refused login are kept apart, APPENDLIMIT parsing, and that
 * every reader it opens is closed. The readers have no write method at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FolderReader } from '../../../src/core/ports.js';
import type { MessageMeta } from '../../../src/core/messages.js';
import { appendLimitOf } from '../../../src/core/capabilities.js';
import { discoverAccount, discoverAccounts } from '../../../src/plan/discovery.js';
import { isSelectable } from '../../../src/core/folders.js';
import type { FolderListing } from '../../../src/core/folders.js';
import { MailshiftError } from '../../../src/core/errors.js';
import { StoreError } from '../../../src/core/errors.js';

function meta(uid: number, size: number, date: string, flags: string[] = []): MessageMeta {
  return { uid, size, internalDate: Date.parse(date), flags, identity: `i${uid}`, messageId: `<${uid}@x>` };
}

interface Fake {
  reader: FolderReader;
  calls: string[];
  closed: () => boolean;
}

function fakeReader(
  folders: FolderListing[],
  content: Record<string, MessageMeta[] | Error>,
  opts: { capabilities?: string[]; permanentFlags?: string[]; quota?: { usage: number; limit: number } } = {},
): Fake {
  const calls: string[] = [];
  let selected = '';
  let closed = false;
  const reader: FolderReader = {
    capabilities: new Set(opts.capabilities ?? ['IMAP4rev1']),
    listFolders: async () => {
      calls.push('LIST');
      return { namespace: { prefix: '', delimiter: '.' }, folders };
    },
    status: async () => {
      throw new Error('not used');
    },
    examine: async (path) => {
      calls.push(`EXAMINE ${path}`);
      const c = content[path];
      if (c instanceof Error) throw c;
      selected = path;
      return {
        status: { messages: c?.length ?? 0, uidNext: 1, uidValidity: 1 },
        permanentFlags: opts.permanentFlags ?? [],
      };
    },
    scan: async () => {
      calls.push(`FETCH ${selected}`);
      return (content[selected] as MessageMeta[]) ?? [];
    },
    scanFlags: async () => new Map(),
    fetchBodies: async () => new Map(),
    quota: async () => {
      calls.push('GETQUOTAROOT');
      return opts.quota;
    },
    close: async () => {
      closed = true;
    },
  };
  return { reader, calls, closed: () => closed };
}

/** Connection limits that let `parallel` accounts be read at once. */
const caps = (parallel: number, total = 40) => ({
  limits: { accountsInParallel: parallel, connectionsPerAccount: 2 },
  source: { maxConnections: 10, maxConnectionsTotal: total },
  destination: { maxConnections: 10, maxConnectionsTotal: total },
});

const listed = (path: string, flags: string[] = []): FolderListing => ({
  path,
  delimiter: '.',
  flags,
  subscribed: true,
});

describe('discovery', () => {
  it('reads every selectable source folder: counts, sizes, dates, flags and largest first', async () => {
    const src = fakeReader(
      [listed('INBOX'), listed('INBOX.Archiwum', ['\\Noselect']), listed('INBOX.Oferty')],
      {
        INBOX: [
          meta(1, 300, '2021-03-01T10:00:00Z', ['\\Seen', '$label1', '\\Recent']),
          meta(2, 900, '2019-01-01T00:00:00Z', ['\\Seen']),
        ],
        'INBOX.Oferty': [],
      },
    );
    const dst = fakeReader(
      [listed('INBOX')],
      {},
      {
        capabilities: ['IMAP4rev1', 'APPENDLIMIT=1000'],
        permanentFlags: ['\\Seen', '\\*'],
        quota: { usage: 1, limit: 2 },
      },
    );
    const d = await discoverAccount(
      'a',
      { source: 'a', destination: 'b' },
      { source: async () => src.reader, destination: async () => dst.reader },
    );
    assert.ok(d.source.ok && d.destination.ok);
    const inbox = d.source.folders[0]!;
    assert.equal(inbox.messages, 2);
    assert.equal(inbox.bytes, 1200);
    assert.equal(inbox.oldest, '2019-01-01T00:00:00.000Z');
    assert.equal(inbox.newest, '2021-03-01T10:00:00.000Z');
    assert.deepEqual(inbox.flagCounts, { '\\Seen': 2, $label1: 1 });
    assert.deepEqual(
      inbox.bySize.refs().map((m) => m.uid),
      [2, 1],
    );
    assert.equal(d.source.folders[1]!.selectable, false);
    assert.ok(!src.calls.includes('EXAMINE INBOX.Archiwum'), 'a \\Noselect folder is not opened');
    assert.equal(d.destination.appendLimit, 1000);
    assert.deepEqual(d.destination.quota, { usage: 1, limit: 2 });
    assert.deepEqual(d.destination.folders[0]!.permanentFlags, ['\\Seen', '\\*']);
    assert.ok(src.closed() && dst.closed(), 'both readers closed');
  });

  it('keeps an empty PERMANENTFLAGS of a read-only open as "not announced"', async () => {
    const dst = fakeReader([listed('INBOX')], {}, { permanentFlags: [] });
    const src = fakeReader([], {});
    const d = await discoverAccount(
      'a',
      { source: 'a', destination: 'b' },
      { source: async () => src.reader, destination: async () => dst.reader },
    );
    assert.ok(d.destination.ok);
    assert.equal(d.destination.folders[0]!.permanentFlags, undefined);
  });

  it('a folder the server refuses is an error of that folder only; a lost connection fails the side', async () => {
    const refused = new StoreError('EXAMINE: NO Mailbox is corrupted', {
      kind: 'refused',
      serverText: 'Mailbox is corrupted',
    });
    const src = fakeReader([listed('INBOX'), listed('INBOX.Zly'), listed('INBOX.Dobry')], {
      INBOX: [meta(1, 5, '2020-01-01')],
      'INBOX.Zly': refused,
      'INBOX.Dobry': [meta(1, 7, '2020-01-01')],
    });
    const dst = fakeReader([], {});
    const d = await discoverAccount(
      'a',
      { source: 'a', destination: 'b' },
      { source: async () => src.reader, destination: async () => dst.reader },
    );
    assert.ok(d.source.ok);
    assert.deepEqual(
      d.source.folders.map((f) => `${f.path}:${f.messages}:${f.error ?? ''}`),
      ['INBOX:1:', 'INBOX.Zly:0:Mailbox is corrupted', 'INBOX.Dobry:1:'],
    );

    const lost = new StoreError('EXAMINE: the connection was lost', { kind: 'connection' });
    const src2 = fakeReader([listed('INBOX'), listed('INBOX.Dobry')], { INBOX: lost });
    const d2 = await discoverAccount(
      'a',
      { source: 'a', destination: 'b' },
      { source: async () => src2.reader, destination: async () => dst.reader },
    );
    assert.equal(d2.source.ok, false);
    assert.ok(src2.closed());
  });

  it('reads a side again on a new connection after a drop, as the plan retry policy allows', async () => {
    const lost = () => new StoreError('EXAMINE: the connection was lost', { kind: 'connection' });
    const dst = fakeReader([], {});
    const sides = () => [
      fakeReader([listed('INBOX')], { INBOX: lost() }),
      fakeReader([listed('INBOX')], { INBOX: [meta(1, 7, '2020-01-01')] }),
    ];
    const users = { source: 'a', destination: 'b' };
    const first = sides();
    let opens = 0;
    const retried = await discoverAccount(
      'a',
      users,
      { source: async () => first[opens++]!.reader, destination: async () => dst.reader },
      { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 2 } },
    );
    assert.ok(retried.source.ok);
    assert.equal(retried.source.folders[0]!.messages, 1);
    assert.ok(first[0]!.closed(), 'the dropped connection is closed');

    const second = sides();
    opens = 0;
    const once = await discoverAccount('a', users, {
      source: async () => second[opens++]!.reader,
      destination: async () => dst.reader,
    });
    assert.equal(once.source.ok, false, 'without a policy the side is reported as it failed');
  });

  it('a refused login is reported with its code and hint; the other side is still read', async () => {
    const dst = fakeReader([listed('INBOX')], {});
    const d = await discoverAccount(
      'a',
      { source: 'a@old', destination: 'b@new' },
      {
        source: async () => {
          throw new MailshiftError('login refused by source old:993 (tls) for a@old', {
            code: 'AUTH_FAILED',
            scope: 'account',
            hint: 'check the source password',
          });
        },
        destination: async () => dst.reader,
      },
    );
    assert.deepEqual(d.source, {
      ok: false,
      user: 'a@old',
      error: {
        code: 'AUTH_FAILED',
        message: 'login refused by source old:993 (tls) for a@old',
        hint: 'check the source password',
      },
    });
    assert.equal(d.destination.ok, true);
  });

  it('discovers many accounts a few at a time and stops when interrupted', async () => {
    let open = 0;
    let peak = 0;
    const readers = () => {
      const mk = async () => {
        open++;
        peak = Math.max(peak, open);
        await new Promise((r) => setTimeout(r, 5));
        const f = fakeReader([], {});
        const close = f.reader.close;
        f.reader.close = async () => {
          open--;
          await close();
        };
        return f.reader;
      };
      return { source: mk, destination: mk };
    };
    const accounts = ['a', 'b', 'c', 'd', 'e'].map((id) => ({
      id,
      source: { user: id },
      destination: { user: id },
    }));
    const all = await discoverAccounts(accounts, readers, { caps: caps(2) });
    assert.deepEqual(
      all.map((d) => d.account),
      ['a', 'b', 'c', 'd', 'e'],
    );
    assert.ok(peak <= 4, `at most 2 accounts x 2 sides at once, saw ${peak}`);
    peak = 0;
    await discoverAccounts(accounts, readers, { caps: caps(6, 3) });
    assert.ok(peak <= 6, `at most 3 accounts (maxConnectionsTotal 3) x 2 sides at once, saw ${peak}`);
    const stop = new AbortController();
    stop.abort();
    await assert.rejects(
      discoverAccounts(accounts, readers, { caps: caps(2), signal: stop.signal }),
      /interrupted/,
    );
  });

  it('parses APPENDLIMIT (RFC 7889) and selectability', () => {
    assert.equal(appendLimitOf(['IMAP4rev1', 'APPENDLIMIT=35651584']), 35_651_584);
    assert.equal(appendLimitOf(['appendlimit']), 'per-folder');
    assert.equal(appendLimitOf(['IMAP4rev1']), undefined);
    assert.equal(isSelectable(listed('x', ['\\NoSelect'])), false);
    assert.equal(isSelectable(listed('x', ['\\NonExistent'])), false);
    assert.equal(isSelectable(listed('x', ['\\HasChildren'])), true);
  });
});
