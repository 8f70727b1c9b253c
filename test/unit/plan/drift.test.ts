/**
 * Drift rules: what a run does when either server changed since the plan or the last sync.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FolderDecision, FolderListing, SideListing } from '../../../src/core/folders.js';
import { reconcile, type DriftInput, type SyncedFolder } from '../../../src/plan/drift.js';

const folder = (path: string, uidValidity: number, messages = 3): FolderListing => ({
  path,
  delimiter: '/',
  flags: [],
  subscribed: true,
  status: { messages, uidNext: messages + 1, uidValidity },
});
const side = (...folders: FolderListing[]): SideListing => ({
  namespace: { prefix: '', delimiter: '/' },
  folders,
});
const copy = (source: string, destination = source): FolderDecision => ({
  action: 'copy',
  source,
  destination,
  reason: 'same-name',
  exists: false,
  warnings: [],
});
const synced = (
  source: string,
  uidvalidity: number,
  destUidValidity: number | null,
  destMessages = 3,
): SyncedFolder => ({
  source,
  destination: source,
  uidvalidity,
  destUidValidity,
  destMessages,
});

function input(over: Partial<DriftInput>): DriftInput {
  return {
    decisions: [copy('INBOX'), copy('Faktury')],
    source: side(folder('INBOX', 1), folder('Faktury', 2)),
    destination: side(folder('INBOX', 11), folder('Faktury', 12)),
    synced: [synced('INBOX', 1, 11), synced('Faktury', 2, 12)],
    propose: () => [copy('INBOX'), copy('Faktury'), copy('Nowy', 'Nowy'), copy('Faktury 2024')],
    newFolders: 'copy',
    ...over,
  };
}

describe('reconcile', () => {
  it('finds nothing when both servers are as recorded', () => {
    const r = reconcile(input({}));
    assert.deepEqual(r.drift, []);
    assert.deepEqual(
      r.decisions.map((d) => d.source),
      ['INBOX', 'Faktury'],
    );
  });

  it('maps and copies a source folder created after the plan, with a note; or waits for review', () => {
    const src = side(folder('INBOX', 1), folder('Faktury', 2), folder('Nowy', 3));
    const r = reconcile(input({ source: src }));
    assert.deepEqual(r.drift, [
      { kind: 'new-source-folder', source: 'Nowy', destination: 'Nowy', copied: true },
    ]);
    const d = r.decisions.find((x) => x.source === 'Nowy');
    assert.equal(d?.action, 'copy');
    assert.match(d?.action === 'copy' ? d.warnings.join() : '', /review the resolved plan/);

    const held = reconcile(input({ source: src, newFolders: 'review' }));
    assert.equal(held.decisions.find((x) => x.source === 'Nowy')?.action, 'skip');
    assert.equal(held.drift[0]?.kind === 'new-source-folder' && held.drift[0].copied, false);
  });

  it('follows a source folder renamed with its UIDVALIDITY to its old destination', () => {
    const src = side(folder('INBOX', 1), folder('Faktury 2024', 2));
    const r = reconcile(input({ source: src }));
    assert.deepEqual(r.renames, [{ from: 'Faktury', to: 'Faktury 2024' }]);
    assert.deepEqual(r.drift, [
      { kind: 'source-folder-renamed', from: 'Faktury', to: 'Faktury 2024', destination: 'Faktury' },
    ]);
    const d = r.decisions.find((x) => x.source === 'Faktury 2024');
    assert.equal(d?.action === 'copy' && d.destination, 'Faktury');
  });

  it('names a source folder deleted after its sync, and copies nothing for it', () => {
    const r = reconcile(input({ source: side(folder('INBOX', 1)) }));
    assert.deepEqual(r.drift, [{ kind: 'source-folder-gone', source: 'Faktury', destination: 'Faktury' }]);
  });

  it('sees a destination folder deleted, recreated, or missing messages', () => {
    const deleted = reconcile(input({ destination: side(folder('INBOX', 11)) }));
    assert.deepEqual(deleted.drift, [
      { kind: 'destination-folder-missing', source: 'Faktury', destination: 'Faktury' },
    ]);

    const wiped = reconcile(input({ destination: side(folder('INBOX', 91, 0), folder('Faktury', 92, 0)) }));
    assert.deepEqual(
      wiped.drift.map((d) => d.kind),
      ['destination-folder-recreated', 'destination-folder-recreated'],
    );

    const shrunk = reconcile(input({ destination: side(folder('INBOX', 11), folder('Faktury', 12, 1)) }));
    assert.deepEqual(shrunk.drift, [
      {
        kind: 'destination-messages-deleted',
        source: 'Faktury',
        destination: 'Faktury',
        recorded: 3,
        now: 1,
      },
    ]);
  });

  it('does not judge a destination UIDVALIDITY an older mailshift never recorded', () => {
    const r = reconcile(input({ synced: [synced('INBOX', 1, null), synced('Faktury', 2, null)] }));
    assert.deepEqual(r.drift, []);
  });
});

describe('reconcile after a run', () => {
  it('keeps a folder an earlier run synced under a name the plan does not know where that run put it', () => {
    const r = reconcile(
      input({
        source: side(folder('INBOX', 1), folder('Faktury 2024', 2)),
        synced: [synced('INBOX', 1, 11), { ...synced('Faktury 2024', 2, 12), destination: 'Faktury' }],
      }),
    );
    assert.deepEqual(r.drift, []);
    const d = r.decisions.find((x) => x.source === 'Faktury 2024');
    assert.equal(d?.action === 'copy' && d.destination, 'Faktury');
  });
});
