/**
 * A big folder's copy a slice at a time (folder-prepare.ts, folder-copy.ts): the slices cover
 * every UID once, newest first when the copy is; no scan holds more than a slice; the destination
 * ends as a whole copy leaves it. (A kill at every step of a copy in slices is
 * crash-every-step.test.ts; against Dovecot, split-folder.test.ts.)
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BodyReader } from '../../../src/core/ports.js';
import type { CliWiring } from '../../../src/cli/wiring.js';
import { MAX_UID } from '../../../src/core/uid-ranges.js';
import { copySlices } from '../../../src/engine/folder-slices.js';
import { createCompanyServers, SOURCE_HOST, writeCompanyPlan } from '../../harness/memory-company.js';
import { destinationContent, freshCopy, runMemoryPlan, scratchDir } from '../../harness/memory-run.js';
import { MemoryNetwork } from '../../harness/memory-server.js';
import { memoryWiring } from '../../harness/memory-wiring.js';
import { runPlanInProcess } from '../../harness/migration-env.js';

describe('copySlices', () => {
  it('cuts before each cut above the first UID, the last slice open-ended', () => {
    assert.deepEqual(copySlices(1, [51, 101], false), [
      [1, 50],
      [51, 100],
      [101, MAX_UID],
    ]);
    assert.deepEqual(copySlices(60, [51, 101], false), [
      [60, 100],
      [101, MAX_UID],
    ]);
    assert.deepEqual(copySlices(101, [51, 101], false), [[101, MAX_UID]]);
    assert.deepEqual(copySlices(7, [], false), [[7, MAX_UID]]);
  });

  it('gives the newest slice first when the copy goes newest first', () => {
    assert.deepEqual(copySlices(1, [51, 101], true), [
      [101, MAX_UID],
      [51, 100],
      [1, 50],
    ]);
  });
});

const USER = 'rekrutacja@acme.example';
const BIG = 60;
const SLICE = 8;

/** A body reader that records how many messages each of its scans returned. */
function counted(b: BodyReader, scans: number[]): BodyReader {
  const seen = <T extends unknown[]>(metas: T) => (scans.push(metas.length), metas);
  return {
    open: (path) => b.open(path),
    scan: async (from, to) => seen(await b.scan(from, to)),
    openAndScan: async (path, from) => {
      const r = await b.openAndScan(path, from);
      seen(r.metas);
      return r;
    },
    uidsAt: (seqs) => b.uidsAt!(seqs),
    fetch: (uids) => b.fetch(uids),
    recycle: (bodies) => b.recycle(bodies),
    close: () => b.close(),
  };
}

describe('a big folder copied in slices, over memory servers', () => {
  const root = scratchDir('mailshift-copy-slices-');
  after(() => rmSync(root, { recursive: true, force: true }));

  it('scans a slice at a time and leaves what a whole copy leaves', async () => {
    const seed = join(root, 'seed.json');
    createCompanyServers(seed);
    const net = MemoryNetwork.open(seed);
    net
      .server(SOURCE_HOST)!
      .mailbox(USER)!
      .append(
        'INBOX',
        Array.from({ length: BIG }, (_, i) => ({
          raw: Buffer.from(
            `From: Kandydat ${i} <k${i}@poczta.example>\r\nTo: ${USER}\r\nSubject: CV ${i}\r\n` +
              `Message-ID: <cv-${i}@poczta.example>\r\n\r\nDzien dobry.\r\n`,
          ),
          flags: i % 3 ? ['\\Seen'] : ['$Kandydat'],
          internalDate: new Date(Date.UTC(2020 + (i % 5), i % 12, 1)),
        })),
      );
    net.save();
    const planPath = writeCompanyPlan(root, 'limits: { batchMessages: 3 }');

    const whole = freshCopy(seed, join(root, 'whole'));
    assert.equal((await runMemoryPlan(planPath, whole.stateDir, whole.serversFile)).code, 0);

    const sliced = freshCopy(seed, join(root, 'sliced'));
    const scans: number[] = [];
    const base = memoryWiring(sliced.serversFile);
    const wiring: Pick<CliWiring, 'connectors' | 'readers'> = {
      readers: base.readers,
      connectors: async (plan, logger, logins) => {
        const of = await base.connectors(plan, logger, logins);
        return (id) => {
          const c = of(id);
          return { ...c, bodies: async () => counted(await c.bodies(), scans) };
        };
      },
    };
    const run = await runPlanInProcess(planPath, sliced.stateDir, { wiring, copySliceMessages: SLICE });
    assert.equal(run.code, 0, run.stderr);
    const inboxStarts = run.events.filter(
      (e) => e.type === 'folder-start' && e.account === USER && e.folder === 'INBOX',
    );
    assert.ok(inboxStarts.length >= BIG / SLICE, `${inboxStarts.length} slices of the INBOX`);
    assert.ok(Math.max(...scans) <= SLICE, `a scan returned ${Math.max(...scans)} messages`);
    assert.deepEqual(destinationContent(sliced.serversFile), destinationContent(whole.serversFile));

    const again = await runPlanInProcess(planPath, sliced.stateDir, { wiring, copySliceMessages: SLICE });
    assert.equal(again.summary?.totals.copied, 0, 'the next run copies nothing');
  });
});
