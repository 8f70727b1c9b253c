/**
 * verifyAccount over fake read-only stores (no servers): its lanes come from the account pool, so
 * a dropped connection is retried per the plan's `limits.retry`, a throttling server leaves fewer
 * lanes, and the folders of an account whose connections keep failing say why.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StoreError } from '../../../src/core/errors.js';
import type { FolderDecision, FolderListing } from '../../../src/core/folders.js';
import type { MessageMeta } from '../../../src/core/messages.js';
import type { FolderReader } from '../../../src/core/ports.js';
import type { PlanAccount } from '../../../src/plan/load-plan.js';
import type { Logger } from '../../../src/shared/logger.js';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { verifyAccount } from '../../../src/verify/verify-account.js';

const FOLDERS = ['INBOX', 'Sent', 'Archive'];
const message = (uid: number): MessageMeta => ({
  uid,
  size: 100 + uid,
  internalDate: Date.parse('2024-01-01T00:00:00Z'),
  flags: ['\\Seen'],
  identity: `mid:<${uid}@x>:${100 + uid}`,
  messageId: `<${uid}@x>`,
});
const listing = (path: string): FolderListing => ({
  path,
  delimiter: '.',
  flags: [],
  subscribed: true,
  messages: 2,
});

/** What the readers were asked: EXAMINE per folder, and bursts (scanFolders) with their folders. */
interface Calls {
  examined: string[];
  bursts: string[][];
}

/**
 * A reader of one side holding two messages in each folder; `fault` may fail an EXAMINE. With
 * `calls`, it also scans bursts of folders (a refused folder is a result, a lost connection fails
 * the burst), recording what it was asked.
 */
function reader(
  opened: FolderReader[],
  fault: (path: string) => Error | undefined,
  calls?: Calls,
): FolderReader {
  const r: FolderReader = {
    capabilities: new Set(['IMAP4rev1']),
    listFolders: async () => ({ namespace: { prefix: '', delimiter: '.' }, folders: FOLDERS.map(listing) }),
    status: async () => {
      throw new Error('not used');
    },
    examine: async (path) => {
      calls?.examined.push(path);
      const err = fault(path);
      if (err) throw err;
      return { status: { messages: 2, uidNext: 3, uidValidity: 1 }, permanentFlags: [] };
    },
    ...(calls
      ? {
          scanFolders: async (paths: readonly string[]) => {
            calls.bursts.push([...paths]);
            return paths.map((path) => {
              const err = fault(path);
              if (err instanceof StoreError && err.kind === 'refused') return { path, error: err };
              // A reply the scan refuses ends its connection, whichever folder sent it.
              if (err) throw err;
              return {
                path,
                status: { messages: 2, uidNext: 3, uidValidity: 1 },
                messages: [message(1), message(2)],
              };
            });
          },
        }
      : {}),
    scan: async () => [message(1), message(2)],
    scanFlags: async () => new Map(),
    fetchBodies: async () => new Map(),
    quota: async () => undefined,
    close: async () => {},
  };
  opened.push(r);
  return r;
}

const account: PlanAccount = {
  id: 'kontakt@acme.example',
  source: { user: 'kontakt@acme.example' },
  destination: { user: 'kontakt@acme.example' },
} as PlanAccount;

const decisions: FolderDecision[] = FOLDERS.map((f) => ({
  action: 'copy',
  source: f,
  destination: f,
  reason: 'same-name',
})) as FolderDecision[];

describe('verifyAccount', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailshift-verify-account-'));
  const store = CheckpointStore.open(join(dir, 'state.sqlite'));
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function verify(opts: {
    lanes: number;
    attempts: number;
    fault: (path: string) => Error | undefined;
    calls?: Calls;
  }) {
    const opened: FolderReader[] = [];
    const logs: { fields: Record<string, unknown>; msg: string }[] = [];
    const logger = { warn: (fields: Record<string, unknown>, msg: string) => logs.push({ fields, msg }) };
    const result = verifyAccount(account, {
      connect: {
        source: async () => reader(opened, () => undefined, opts.calls),
        destination: async () => reader(opened, opts.fault, opts.calls),
      },
      store,
      mapper: { resolved: () => decisions, propose: () => decisions },
      mode: { kind: 'headers' },
      repair: { bareLf: 'repair', nulBytes: 'repair' },
      lanes: opts.lanes,
      retry: { attempts: opts.attempts, baseDelayMs: 1, maxDelayMs: 2 },
      signal: new AbortController().signal,
      logger: logger as unknown as Logger,
    });
    return { result, opened, logs };
  }

  it('retries a folder whose connection drops, and a throttling server leaves fewer lanes', async () => {
    const faults = new Map<string, Error>([
      ['INBOX', new StoreError('EXAMINE: the connection was lost', { kind: 'connection' })],
      ['Sent', new StoreError('NO [THROTTLED] slow down', { kind: 'throttled', waitMs: 3 })],
    ]);
    const run = verify({
      lanes: 3,
      attempts: 1,
      fault: (path) => {
        const err = faults.get(path);
        faults.delete(path); // once each
        return err;
      },
    });
    const result = await run.result;
    assert.equal(result.error, undefined);
    assert.deepEqual(
      result.folders.map((f) => `${f.source}:${f.status}:${f.counts.matched}`),
      ['INBOX:compared:2', 'Sent:compared:2', 'Archive:compared:2'],
    );
    const retried = run.logs.filter((l) => l.msg === 'retrying folder').map((l) => l.fields.folder);
    assert.deepEqual([...retried].sort(), ['INBOX', 'Sent']);
    assert.ok(
      run.logs.some((l) => l.msg === 'retrying folder' && l.fields.delay === 3),
      'waited as told',
    );
    assert.ok(
      run.logs.some((l) => l.msg === 'server asks to slow down: fewer connections'),
      'one lane fewer',
    );
    assert.equal(run.opened.length, 3 * 2 + 2 * 2, 'three lanes, and two reconnected');
  });

  it('stops after the plan retry attempts, naming why on every folder not compared', async () => {
    const run = verify({
      lanes: 1,
      attempts: 2,
      fault: () => new StoreError('EXAMINE: the connection was lost', { kind: 'connection' }),
    });
    const result = await run.result;
    assert.deepEqual(
      result.folders.map((f) => `${f.source}:${f.status}`),
      ['INBOX:error', 'Sent:error', 'Archive:error'],
    );
    assert.match(
      result.folders[0]!.detail ?? '',
      /connection to the servers of kontakt@acme\.example kept failing/,
    );
    assert.equal(run.logs.filter((l) => l.msg === 'retrying folder').length, 2, 'limits.retry.attempts');
  });

  it('reports a folder the server refuses and compares the others', async () => {
    const run = verify({
      lanes: 2,
      attempts: 2,
      fault: (path) =>
        path === 'Sent'
          ? new StoreError('EXAMINE Sent: Mailbox is corrupted', { kind: 'refused' })
          : undefined,
    });
    const result = await run.result;
    assert.deepEqual(
      result.folders.map((f) => `${f.source}:${f.status}`),
      ['INBOX:compared', 'Sent:error', 'Archive:compared'],
    );
    assert.equal(run.logs.length, 0, 'a refusal is not retried');
  });

  it('reads the folders of both sides in one burst each where the readers can, a refused folder failing alone', async () => {
    const calls: Calls = { examined: [], bursts: [] };
    const run = verify({
      lanes: 2,
      attempts: 2,
      calls,
      fault: (path) =>
        path === 'Sent'
          ? new StoreError('EXAMINE Sent: Mailbox is corrupted', { kind: 'refused' })
          : undefined,
    });
    const result = await run.result;
    assert.deepEqual(
      result.folders.map((f) => `${f.source}:${f.status}:${f.counts.matched}`),
      ['INBOX:compared:2', 'Sent:error:0', 'Archive:compared:2'],
    );
    assert.match(result.folders[1]!.detail ?? '', /Mailbox is corrupted/);
    assert.equal(calls.bursts.length, 2, 'one burst per side');
    for (const b of calls.bursts) assert.deepEqual([...b].sort(), [...FOLDERS].sort());
    assert.deepEqual(calls.examined, [], 'nothing examined folder by folder: nothing needed a body');
    assert.equal(run.opened.length, 2, 'one lane: one reader per side');
  });

  it('reads a burst again on new connections when one drops', async () => {
    const calls: Calls = { examined: [], bursts: [] };
    let drops = 1;
    const run = verify({
      lanes: 2,
      attempts: 2,
      calls,
      fault: (path) =>
        path === 'Archive' && drops-- > 0
          ? new StoreError('FETCH: the connection was lost', { kind: 'connection' })
          : undefined,
    });
    const result = await run.result;
    assert.deepEqual(
      result.folders.map((f) => `${f.source}:${f.status}:${f.counts.matched}`),
      ['INBOX:compared:2', 'Sent:compared:2', 'Archive:compared:2'],
    );
    assert.deepEqual(
      run.logs.map((l) => l.msg),
      ['retrying folder'],
    );
  });

  it('reads a burst folder by folder when one folder breaks the scan, so that folder fails alone', async () => {
    const calls: Calls = { examined: [], bursts: [] };
    const broken = () =>
      new StoreError('the server sent UID 0 in folder "Sent", outside 1..4294967295', {
        kind: 'protocol',
        scope: 'folder',
      });
    const run = verify({
      lanes: 2,
      attempts: 2,
      calls,
      fault: (path) => (path === 'Sent' ? broken() : undefined),
    });
    const result = await run.result;
    assert.deepEqual(
      result.folders.map((f) => `${f.source}:${f.status}:${f.counts.matched}`),
      ['INBOX:compared:2', 'Sent:error:0', 'Archive:compared:2'],
    );
    assert.match(result.folders[1]!.detail ?? '', /UID 0/);
    assert.deepEqual([...new Set(calls.examined)].sort(), [...FOLDERS].sort(), 'read one by one');
    assert.equal(run.logs.length, 0, 'nothing retried');
  });
});
