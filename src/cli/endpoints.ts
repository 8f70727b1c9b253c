/**
 * The two endpoints of one account: each server's settings from the plan, the user, and its
 * secret, asked for again on every (re)connect so a refreshed token is picked up mid-run.
 */
import type { Logins } from '../auth/logins.js';
import type { Endpoint, Side } from '../core/endpoint.js';
import { resolveSecret } from '../plan/credentials.js';
import type { Plan, PlanAccount } from '../plan/load-plan.js';

/**
 * The endpoints of one account of the plan, their secrets from the run's credentials (src/auth):
 * an OAuth2 token or an admin login where the plan says so, else the account's own secret.
 */
export function endpoints(
  plan: Plan,
  account: PlanAccount,
  logins: Logins,
): { source: Endpoint; destination: Endpoint } {
  const endpoint = (side: Side): Endpoint => ({
    side,
    server: plan[side],
    user: account[side].user,
    secret: logins.secretFor(
      { side, account: account.id, user: account[side].user, login: account.login[side] },
      () => resolveSecret(account[side], plan.dir),
    ),
  });
  return { source: endpoint('source'), destination: endpoint('destination') };
}

/** The plan's account with this id. @throws Error for an id the plan does not have (a caller's bug). */
export function accountById(plan: Plan, id: string): PlanAccount {
  const account = plan.accounts.find((a) => a.id === id);
  if (!account) throw new Error(`unknown account ${id}`);
  return account;
}
