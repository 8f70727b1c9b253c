/**
 * From the folder mapping to verification work: groups per destination folder, and the folders
 * settled without reading them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FolderDecision, FolderListing, SideListing } from '../../../src/core/folders.js';
import { planFolders } from '../../../src/verify/plan-folders.js';

function listing(paths: (string | [string, number] | FolderListing)[], delimiter = '.'): SideListing {
  return {
    namespace: { prefix: '', delimiter },
    folders: paths.map((p) =>
      typeof p === 'string'
        ? { path: p, delimiter, flags: [], subscribed: true, messages: 1 }
        : Array.isArray(p)
          ? { path: p[0], delimiter, flags: [], subscribed: true, messages: p[1] }
          : p,
    ),
  };
}

const copy = (source: string, destination: string): FolderDecision => ({
  action: 'copy',
  source,
  destination,
  reason: 'same-name',
  exists: true,
  warnings: [],
});

describe('planFolders', () => {
  it('groups source folders by destination, biggest group first, and knows a missing destination', () => {
    const plan = planFolders(
      [copy('INBOX', 'INBOX'), copy('INBOX.A', 'Merged'), copy('INBOX.B', 'Merged'), copy('INBOX.C', 'Gone')],
      listing(['INBOX', ['INBOX.A', 5], ['INBOX.B', 7], 'INBOX.C']),
      listing(['INBOX', 'Merged'], '/'),
    );
    assert.deepEqual(
      plan.groups.map((g) => [g.destination, g.sources, g.exists, g.messages]),
      [
        ['Merged', ['INBOX.A', 'INBOX.B'], true, 12],
        ['INBOX', ['INBOX'], true, 1],
        ['Gone', ['INBOX.C'], false, 1],
      ],
    );
    assert.deepEqual(plan.settled, []);
  });

  it('settles folders skipped by the plan, gone from the source, or unknown to the plan', () => {
    const plan = planFolders(
      [
        { action: 'skip', source: 'INBOX.Spam', reason: 'excluded', detail: 'excluded by "Spam"' },
        copy('INBOX.Old', 'Old'),
      ],
      listing([
        ['INBOX.Spam', 4],
        ['INBOX.New', 3],
        { path: 'INBOX.Parent', delimiter: '.', flags: ['\\Noselect'], subscribed: true },
      ]),
      listing([], '/'),
    );
    assert.deepEqual(
      plan.settled.map((f) => [f.source, f.status, f.detail, f.counts.source, f.counts.notYetCopied]),
      [
        ['INBOX.Spam', 'skipped-by-plan', 'excluded by "Spam"', 4, 0],
        ['INBOX.Old', 'source-gone', undefined, 0, 0],
        ['INBOX.New', 'not-in-plan', undefined, 3, 3],
      ],
    );
  });

  it('warns when the last run copied a folder elsewhere than the plan says now', () => {
    const plan = planFolders(
      [copy('INBOX.A', 'B')],
      listing(['INBOX.A']),
      listing(['B'], '/'),
      new Map([['INBOX.A', 'A']]),
    );
    assert.equal(plan.groups[0]!.lastCopiedTo.get('INBOX.A'), 'A');
  });
});
