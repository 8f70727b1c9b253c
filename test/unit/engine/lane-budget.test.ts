/**
 * The run's lanes shared among its accounts: an account with many folders grows past the default
 * lanes within its caps, and never so far that an account waiting to start finds fewer than the
 * default (so growing never lowers the accounts that run at once).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  connectionCaps,
  COPY_LANE,
  laneGrowth,
  type ConnectionLimits,
} from '../../../src/core/connection-caps.js';
import { LaneBudget } from '../../../src/engine/lane-budget.js';
import { lanesForWork, messageLanes } from '../../../src/engine/account-sync.js';
import type { FolderTask } from '../../../src/engine/folder-context.js';

const defaults = (parallel = 6, perAccount = 10, total = 40): ConnectionLimits => ({
  limits: { accountsInParallel: parallel },
  source: { maxConnections: perAccount, maxConnectionsTotal: total },
  destination: { maxConnections: perAccount, maxConnectionsTotal: total },
});

function budgetOf(plan: ConnectionLimits): LaneBudget {
  const caps = connectionCaps(plan, COPY_LANE);
  const growth = laneGrowth(plan, COPY_LANE);
  return new LaneBudget({
    base: caps.lanesPerAccount,
    accountsAtOnce: caps.accountsAtOnce,
    perAccount: growth.perAccount,
    total: growth.total,
  });
}

const folders = (n: number, messages = 10): FolderTask[] =>
  Array.from({ length: n }, (_, i) => ({ source: `F${i}`, listing: { messages } }) as unknown as FolderTask);

describe('lanes that follow the work', () => {
  it('asks one lane per ten folders, and for messages no more than the default', () => {
    assert.equal(lanesForWork(folders(200)), 20);
    assert.equal(lanesForWork(folders(24, 62)), 3);
    assert.equal(lanesForWork(folders(20, 75)), 2, 'the standard corpus: as before');
    assert.equal(lanesForWork(folders(6, 3)), 1, 'a small account: one lane');
    assert.equal(lanesForWork(folders(1, 30_000)), 2, 'one big folder: split across the default lanes');
  });

  it('gives a lone account more lanes for its messages where the byte budget feeds them', () => {
    const limits = { bytesInFlight: 24 * 1024 * 1024, batchBytes: 2 * 1024 * 1024 };
    assert.equal(messageLanes(limits, 1), 3, 'one account: 24 MiB feeds six batches, three lanes at most');
    assert.equal(messageLanes(limits, 5), 2, 'five accounts share the budget: the default lanes');
    assert.equal(
      messageLanes({ ...limits, bytesInFlight: 4 * 1024 * 1024 }, 1),
      2,
      'never below the default',
    );
    assert.equal(lanesForWork(folders(20, 200), 3), 3, '4,000 messages in 20 folders, alone');
    assert.equal(lanesForWork(folders(20, 200)), 2, 'the same in a run of many accounts');
    assert.equal(lanesForWork(folders(6, 3), 3), 1, 'a small account still one lane');
  });

  it('lets one account of 200 folders use its whole per-account cap (10 connections per server)', () => {
    const budget = budgetOf(defaults());
    assert.equal(budget.take(lanesForWork(folders(200))), 5, '5 lanes x 2 connections = 10');
  });

  it('never leaves an account that may still start short of its default lanes', () => {
    const plan = defaults(6, 10, 24); // 6 accounts x 2 lanes x 2 connections = 24: no room to grow
    assert.equal(connectionCaps(plan, COPY_LANE).accountsAtOnce, 6, 'growth does not lower this');
    const budget = budgetOf(plan);
    const grants = Array.from({ length: 6 }, () => budget.take(20));
    assert.deepEqual(grants, [2, 2, 2, 2, 2, 2]);
    assert.ok(budget.held * 2 <= 24, 'within maxConnectionsTotal');
  });

  it('shares what the total cap leaves, and takes back what an ended account gave', () => {
    const budget = budgetOf(defaults()); // 20 lanes in all, 6 accounts at once, 2 each sure
    const first = budget.take(20);
    const second = budget.take(20);
    assert.deepEqual([first, second], [5, 5], '20 - 4 x 2 kept for the others leaves room for both');
    const rest = Array.from({ length: 4 }, () => budget.take(20));
    assert.ok(
      rest.every((g) => g >= 2),
      'each later account still gets its default',
    );
    assert.ok(budget.held <= 20, 'never past the total');
    budget.give(first);
    assert.ok(budget.take(20) >= 2);
  });

  it('gives at least one lane however small the caps', () => {
    const budget = budgetOf(defaults(1, 2, 2));
    assert.equal(budget.take(10), 1);
  });
});
