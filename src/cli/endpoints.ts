/**
 * The two endpoints of one account: each server's settings from the plan, the user, and its
 * secret, read again on every (re)connect so a refreshed token is picked up mid-run.
 */
import type { Endpoint } from '../core/endpoint.js';
import { resolveSecret } from '../plan/credentials.js';
import type { Plan, PlanAccount } from '../plan/load-plan.js';

/** The endpoints of one account of the plan. */
export function endpoints(plan: Plan, account: PlanAccount): { source: Endpoint; destination: Endpoint } {
  return {
    source: {
      side: 'source',
      server: plan.source,
      user: account.source.user,
      secret: () => resolveSecret(account.source, plan.dir),
    },
    destination: {
      side: 'destination',
      server: plan.destination,
      user: account.destination.user,
      secret: () => resolveSecret(account.destination, plan.dir),
    },
  };
}

/** The plan's account with this id. @throws Error for an id the plan does not have (a caller's bug). */
export function accountById(plan: Plan, id: string): PlanAccount {
  const account = plan.accounts.find((a) => a.id === id);
  if (!account) throw new Error(`unknown account ${id}`);
  return account;
}
