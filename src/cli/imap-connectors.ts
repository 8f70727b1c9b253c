/**
 * The production connectors: imapflow stores for control connections, mailshift's own pipelined
 * clients for bodies and appends (src/imap). Loaded only by commands that reach a server, so
 * `--help` and `status` do not load the IMAP code.
 */
import type { Logins } from '../auth/logins.js';
import type { AccountConnectors, ReaderConnectors } from '../core/ports.js';
import { BodyPool } from '../imap/body-pool.js';
import {
  connectAppender,
  connectBodyReader,
  connectDestination,
  connectReader,
  connectSource,
  readOwnListing,
} from '../imap/imapflow-stores.js';
import type { Plan, PlanAccount } from '../plan/load-plan.js';
import type { Logger } from '../shared/logger.js';
import { accountById, endpoints } from './endpoints.js';

/**
 * IMAP connectors for a run's accounts; imapflow's own log lines go to the run log at debug level.
 * @param logins the run's credentials, which give each connection its secret
 */
export function imapConnectors(
  plan: Plan,
  logger: Logger,
  logins: Logins,
): (accountId: string) => AccountConnectors {
  // One pool for every body reader of the run: it never needs to keep more than the byte budget.
  const pool = new BodyPool(plan.limits.bytesInFlight);
  const log = logger.level === 'debug' || logger.level === 'trace' ? logger : false;
  return (id) => {
    const e = endpoints(plan, accountById(plan, id), logins);
    return {
      source: () => connectSource(e.source, log),
      destination: () => connectDestination(e.destination, log),
      appender: () => connectAppender(e.destination),
      bodies: () => connectBodyReader(e.source, pool),
      listing: (side) => readOwnListing(e[side]),
    };
  };
}

/**
 * Read-only IMAP connectors for dry runs, planning and verification.
 * @param logins the run's credentials, which give each connection its secret
 */
export function imapReaders(
  plan: Plan,
  logger: Logger | false,
  logins: Logins,
): (account: PlanAccount) => ReaderConnectors {
  return (account) => {
    const e = endpoints(plan, account, logins);
    return {
      source: () => connectReader(e.source, logger),
      destination: () => connectReader(e.destination, logger),
    };
  };
}
