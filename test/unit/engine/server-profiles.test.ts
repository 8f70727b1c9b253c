/**
 * One migration, servers of different abilities: whatever the destination's write path (one
 * MULTIAPPEND per batch, pipelined APPENDs, one APPEND at a time) and whether the source offers
 * LIST-STATUS and CONDSTORE, the destination ends the same, and a second run copies nothing.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createCompanyServers,
  DESTINATION_HOST,
  SOURCE_HOST,
  writeCompanyPlan,
} from '../../harness/memory-company.js';
import { destinationContent, freshCopy, runMemoryPlan, scratchDir } from '../../harness/memory-run.js';
import { MemoryNetwork } from '../../harness/memory-server.js';

const LIMITS = 'limits: { batchMessages: 3, connectionsPerAccount: 1, accountsInParallel: 2 }';

describe('the same destination from servers of different abilities', () => {
  let root: string;
  let seedFile: string;
  let planPath: string;
  let reference: Record<string, string[]>;
  let n = 0;

  /** A run over a copy of the company whose servers have these capabilities instead. */
  const runWith = async (caps: { source?: string[]; destination?: string[] }) => {
    const { serversFile, stateDir } = freshCopy(seedFile, join(root, `run-${++n}`));
    const net = MemoryNetwork.open(serversFile);
    if (caps.source) net.server(SOURCE_HOST)!.state.capabilities = caps.source;
    if (caps.destination) net.server(DESTINATION_HOST)!.state.capabilities = caps.destination;
    net.save();
    const first = await runMemoryPlan(planPath, stateDir, serversFile);
    const content = destinationContent(serversFile);
    const again = await runMemoryPlan(planPath, stateDir, serversFile);
    return { first, again, content };
  };

  before(async () => {
    root = scratchDir('mailshift-profiles-');
    seedFile = join(root, 'seed.json');
    createCompanyServers(seedFile);
    planPath = writeCompanyPlan(root, LIMITS);
    const { serversFile, stateDir } = freshCopy(seedFile, join(root, 'reference'));
    const run = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(run.code, 0, run.stderr);
    reference = destinationContent(serversFile);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const profiles: [string, { source?: string[]; destination?: string[] }][] = [
    [
      'pipelined APPENDs (LITERAL+, no MULTIAPPEND)',
      { destination: ['IMAP4REV1', 'SPECIAL-USE', 'LIST-STATUS', 'CONDSTORE', 'UIDPLUS', 'LITERAL+'] },
    ],
    [
      'one APPEND at a time (no LITERAL+, no LIST-STATUS)',
      { destination: ['IMAP4REV1', 'SPECIAL-USE', 'UIDPLUS'] },
    ],
    ['a source without LIST-STATUS and CONDSTORE', { source: ['IMAP4REV1', 'NAMESPACE'] }],
  ];
  for (const [name, caps] of profiles) {
    it(name, async () => {
      const { first, again, content } = await runWith(caps);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(content, reference);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.summary?.totals.copied, 0);
      assert.equal(again.summary?.totals.present, 0);
    });
  }

  // Without UIDPLUS no APPENDUID comes back, so copies are recorded without a destination UID. Each
  // still holds one destination message of its identity: the second source folder merged into the
  // same destination folder (INBOX.Stare into Klienci) must not take the first folder's fresh copy
  // of the message both hold for its own, or the exact duplicate would arrive once.
  it('a destination without UIDPLUS', async () => {
    const { first, content } = await runWith({
      destination: ['IMAP4REV1', 'SPECIAL-USE', 'LIST-STATUS', 'CONDSTORE', 'MULTIAPPEND', 'LITERAL+'],
    });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.summary?.totals.present, 0, 'nothing of this run counted as already there');
    assert.deepEqual(content, reference);
  });
});
