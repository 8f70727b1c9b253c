/**
 * The one rule for the connections of run, verify and the dry-run report: lanes per account and
 * accounts at once, within the plan's per-account and total caps on both servers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  connectionCaps,
  COPY_LANE,
  DISCOVERY_LANE,
  VERIFY_LANE,
  type ConnectionLimits,
} from '../../../src/core/connection-caps.js';

const plan = (perAccount: number, total: number, parallel = 8, lanes = 2): ConnectionLimits => ({
  limits: { accountsInParallel: parallel, connectionsPerAccount: lanes },
  source: { maxConnections: perAccount, maxConnectionsTotal: total },
  destination: { maxConnections: perAccount, maxConnectionsTotal: total },
});

describe('connection caps of a run (two connections per server and lane)', () => {
  const accountsAtOnce = (p: ConnectionLimits) => connectionCaps(p, COPY_LANE).accountsAtOnce;
  const pairsPerAccount = (p: ConnectionLimits) => connectionCaps(p, COPY_LANE).lanesPerAccount;

  it('keeps accounts within both servers total caps', () => {
    assert.equal(accountsAtOnce(plan(10, 10)), 2, '2 pairs use 4 destination connections per account');
    assert.equal(accountsAtOnce(plan(10, 100, 3)), 3, 'accountsInParallel when the caps allow it');
    assert.equal(accountsAtOnce(plan(2, 2)), 1, 'never zero');
  });

  it('keeps one account within the per-account cap', () => {
    assert.equal(pairsPerAccount(plan(10, 40, 8, 3)), 3);
    assert.equal(pairsPerAccount(plan(4, 40, 8, 3)), 2, 'two destination connections per pair');
    assert.equal(pairsPerAccount(plan(2, 40, 8, 3)), 1);
  });

  it('takes the smaller of the two servers', () => {
    const p = plan(10, 40, 8, 4);
    p.destination = { maxConnections: 6, maxConnectionsTotal: 12 };
    assert.deepEqual(connectionCaps(p, COPY_LANE), { lanesPerAccount: 3, accountsAtOnce: 2 });
  });
});

describe('connection caps of verify (one reader per server and lane)', () => {
  it('honours maxConnections per account, which verify once ignored', () => {
    assert.equal(connectionCaps(plan(3, 40, 8, 8), VERIFY_LANE).lanesPerAccount, 3);
    assert.equal(connectionCaps(plan(10, 40, 8, 2), VERIFY_LANE).lanesPerAccount, 2);
  });

  it('honours maxConnectionsTotal over the accounts at once', () => {
    assert.equal(connectionCaps(plan(10, 10, 8, 2), VERIFY_LANE).accountsAtOnce, 5);
    assert.equal(connectionCaps(plan(10, 40, 6, 2), VERIFY_LANE).accountsAtOnce, 6);
  });
});

describe('connection caps of discovery (plan, report: one reader per server and account)', () => {
  it('reads each account on one lane, as many accounts as the totals allow', () => {
    assert.deepEqual(connectionCaps(plan(10, 40, 6, 4), DISCOVERY_LANE), {
      lanesPerAccount: 1,
      accountsAtOnce: 6,
    });
    assert.equal(connectionCaps(plan(10, 3, 6, 4), DISCOVERY_LANE).accountsAtOnce, 3);
  });
});
