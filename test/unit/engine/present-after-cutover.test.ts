/**
 * A later pass into a destination that holds mail no run put there (the cutover: the new server
 * receives mail of its own): a new source message that is already on the destination is recorded
 * as present and not copied again, the destination's own mail is left alone, and the pass after
 * that changes nothing. The destination is read without header fields first and the fields of the
 * unclaimed messages alone afterwards (folder-prepare.ts): this fails if those are not read.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createCompanyServers,
  DESTINATION_HOST,
  SOURCE_HOST,
  writeCompanyPlan,
} from '../../harness/memory-company.js';
import { destinationContent, freshCopy, runMemoryPlan, scratchDir } from '../../harness/memory-run.js';
import { MemoryNetwork } from '../../harness/memory-server.js';

const USER = 'rekrutacja@acme.example';

function message(id: string, subject: string): Buffer {
  return Buffer.from(
    `From: Kandydat <${id}@poczta.example>\r\nTo: ${USER}\r\nSubject: ${subject}\r\n` +
      `Date: Mon, 1 Dec 2025 10:00:00 +0100\r\nMessage-ID: <${id}@poczta.example>\r\n\r\nDzien dobry.\r\n`,
  );
}

describe('a pass after the cutover', () => {
  const root = scratchDir('mailshift-cutover-');
  after(() => rmSync(root, { recursive: true, force: true }));

  it('recognises a new source message already on the destination, copies nothing twice, leaves the rest', async () => {
    createCompanyServers(join(root, 'seed.json'));
    const planPath = writeCompanyPlan(root, 'limits: { batchMessages: 3, accountsInParallel: 2 }');
    const { serversFile, stateDir } = freshCopy(join(root, 'seed.json'), join(root, 'run'));
    const first = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(first.code, 0, first.stderr);

    // The same message reached both servers around the MX change; a stranger's reached the new one.
    const net = MemoryNetwork.open(serversFile);
    const when = new Date(Date.UTC(2025, 11, 1, 9));
    const both = message('cv-9', 'CV: Anna Lis');
    net
      .server(SOURCE_HOST)!
      .mailbox(USER)!
      .append('INBOX', [{ raw: both, flags: [], internalDate: when }]);
    const dst = net.server(DESTINATION_HOST)!.mailbox(USER)!;
    dst.append('INBOX', [
      { raw: both, flags: [], internalDate: when },
      { raw: message('obcy-1', 'Zapytanie'), flags: ['\\Seen'], internalDate: when },
    ]);
    net.save();
    const before = destinationContent(serversFile);

    const second = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.summary?.totals.present, 1, 'found on the destination by its identity');
    assert.equal(second.summary?.totals.copied, 0, 'not copied a second time');
    assert.deepEqual(destinationContent(serversFile), before, 'the destination unchanged');

    const third = await runMemoryPlan(planPath, stateDir, serversFile);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(third.summary?.totals.present, 0);
    assert.equal(third.summary?.totals.copied, 0);
  });
});
