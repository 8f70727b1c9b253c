/**
 * Lists the first accounts of a run while the rest of the command loads. A re-run with nothing to
 * do is one login and one LIST per side and account (engine/account-setup.ts); started only once
 * the engine's code is loaded and the run recorded, those round trips come after ~0.1 s of work
 * they need not wait for. Here they start as soon as the plan and the state are open.
 */
import { connectionCaps, COPY_LANE, type ConnectionLimits } from '../core/connection-caps.js';
import type { SideListing } from '../core/folders.js';
import type { AccountConnectors } from '../core/ports.js';

type Side = 'source' | 'destination';
type Connectors = (accountId: string) => AccountConnectors;

/** Connectors whose first listings of some accounts are already under way. */
export interface ListedAhead {
  connectors: Connectors;
  /** Resolves once every listing started ahead has ended, taken or not. */
  settled(): Promise<void>;
}

/**
 * The accounts a run lists ahead: those synced before (the setup lists only those on connections
 * of their own), among the first the run starts at once, in the plan's order as the engine takes
 * them. A later account would be listed long before its turn.
 * @param syncedBefore whether the state has a complete sync of one of the account's folders
 */
export function firstAccounts(
  plan: ConnectionLimits & { accounts: readonly { id: string }[] },
  only: readonly string[] | undefined,
  syncedBefore: (accountId: string) => boolean,
): string[] {
  const { accountsAtOnce } = connectionCaps(plan, COPY_LANE);
  return plan.accounts
    .filter((a) => !only || only.includes(a.id))
    .slice(0, accountsAtOnce)
    .map((a) => a.id)
    .filter(syncedBefore);
}

/**
 * Starts both sides' own listing of each of `accounts` now, and hands each to the first listing
 * the account asks for on that side: the setup's trial listing, the first call for an account
 * synced before. Any later call (a retry, the closing check) lists again: a listing started ahead
 * answers only the question asked at the start. A failed listing ahead fails that trial, which
 * then lists on the account's own connections and reports the reason as before.
 */
export function listAhead(connectors: Connectors, accounts: readonly string[]): ListedAhead {
  const ahead = new Map<string, Partial<Record<Side, Promise<SideListing | undefined>>>>();
  const started: Promise<unknown>[] = [];
  for (const id of accounts) {
    const c = connectors(id);
    if (!c.listing) continue;
    const source = c.listing('source');
    const destination = c.listing('destination');
    // Settled, so that a listing nobody takes (a run stopped first) is no unhandled rejection.
    started.push(
      source.catch(() => undefined),
      destination.catch(() => undefined),
    );
    ahead.set(id, { source, destination });
  }
  return {
    connectors: (id) => {
      const c = connectors(id);
      const early = ahead.get(id);
      if (!early || !c.listing) return c;
      ahead.delete(id);
      const listing = c.listing.bind(c);
      return {
        ...c,
        listing: (side) => {
          const taken = early[side];
          early[side] = undefined;
          return taken ?? listing(side);
        },
      };
    },
    settled: async () => {
      await Promise.all(started);
    },
  };
}
