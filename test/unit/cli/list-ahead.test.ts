/**
 * Listing ahead (src/cli/list-ahead.ts): the first accounts' listings start at once, each is handed
 * to the first listing its account asks for on that side and to no later one, and the accounts
 * chosen are those the run starts first and the setup lists on connections of their own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstAccounts, listAhead } from '../../../src/cli/list-ahead.js';
import type { SideListing } from '../../../src/core/folders.js';
import type { AccountConnectors } from '../../../src/core/ports.js';

type Side = 'source' | 'destination';

/** Connectors whose listings are numbered in the order they are asked for; nothing else is used. */
function countingConnectors(fail?: string) {
  const calls: string[] = [];
  const connectors = (id: string): AccountConnectors => ({
    source: () => Promise.reject(new Error('not used')),
    destination: () => Promise.reject(new Error('not used')),
    appender: () => Promise.reject(new Error('not used')),
    bodies: () => Promise.reject(new Error('not used')),
    listing: (side: Side) => {
      calls.push(`${id} ${side}`);
      if (id === fail) return Promise.reject(new Error(`${id} refused`));
      return Promise.resolve({ listing: calls.length } as unknown as SideListing);
    },
  });
  return { calls, connectors };
}

const nth = (l: SideListing | undefined) => (l as unknown as { listing: number }).listing;

describe('listAhead', () => {
  it('starts both sides of each account at once, and hands each listing to its first caller only', async () => {
    const { calls, connectors } = countingConnectors();
    const ahead = listAhead(connectors, ['kontakt', 'biuro']);
    assert.deepEqual(calls, ['kontakt source', 'kontakt destination', 'biuro source', 'biuro destination']);
    const kontakt = ahead.connectors('kontakt');
    assert.equal(nth(await kontakt.listing!('destination')), 2);
    assert.equal(nth(await kontakt.listing!('source')), 1);
    // A later listing (a retry, the closing check) asks the server again.
    assert.equal(nth(await kontakt.listing!('destination')), 5);
    // A second pass over the same account (sync) gets no listing started for the first.
    assert.equal(nth(await ahead.connectors('kontakt').listing!('source')), 6);
    // An account not listed ahead lists when asked.
    assert.equal(nth(await ahead.connectors('sprzedaz').listing!('source')), 7);
    assert.equal(nth(await ahead.connectors('biuro').listing!('source')), 3);
    await ahead.settled();
  });

  it('gives a failed listing to its caller, and settles without one', async () => {
    const { connectors } = countingConnectors('kontakt');
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const ahead = listAhead(connectors, ['kontakt']);
      await ahead.settled();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(unhandled, []);
      await assert.rejects(ahead.connectors('kontakt').listing!('source'), /kontakt refused/);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('firstAccounts', () => {
  const plan = (accountsInParallel: number) => ({
    limits: { accountsInParallel },
    source: { maxConnections: 10, maxConnectionsTotal: 100 },
    destination: { maxConnections: 10, maxConnectionsTotal: 100 },
    accounts: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })),
  });

  it('takes the accounts the run starts first, synced before, in the plan order', () => {
    assert.deepEqual(
      firstAccounts(plan(3), undefined, (id) => id !== 'b'),
      ['a', 'c'],
    );
    assert.deepEqual(
      firstAccounts(plan(2), ['e', 'd', 'a'], () => true),
      ['a', 'd'],
    );
  });

  it('starts no more accounts than the servers take at once', () => {
    const capped = { ...plan(4), source: { maxConnections: 4, maxConnectionsTotal: 8 } };
    // Two lanes of two source connections per account: 8 connections hold two accounts.
    assert.deepEqual(
      firstAccounts(capped, undefined, () => true),
      ['a', 'b'],
    );
  });
});
