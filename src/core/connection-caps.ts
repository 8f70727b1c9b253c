/**
 * How many connections run, verify and the dry-run report may hold: one rule for all three. An
 * account works over a few lanes (its workers), each holding a fixed set of connections to each
 * server; the plan caps the lanes of one account (`limits.connectionsPerAccount`), the connections
 * of one account on each server (`maxConnections`: providers limit them per user, Dovecot's
 * default `mail_max_userip_connections` is 10) and those of the whole run on each server
 * (`maxConnectionsTotal`: per-IP limits). Fewer accounts run at once, or fewer lanes per account,
 * rather than pass any cap.
 */

/** The connections one lane holds on each server. */
export interface LaneShape {
  source: number;
  destination: number;
  /** Lanes one account can use at most whatever the plan allows (discovery reads with one). */
  maxLanes?: number;
}

/**
 * A copy lane: source control and body reader, destination control and appender. Two of each
 * because a folder's metadata is read and its destination prepared while bodies stream and
 * batches are appended on the other connection of the side.
 */
export const COPY_LANE: LaneShape = { source: 2, destination: 2 };

/** A verify lane: one reader per side, comparing one destination folder at a time. */
export const VERIFY_LANE: LaneShape = { source: 1, destination: 1 };

/** Discovery (plan, report): one reader per side and account, reading its folders in turn. */
export const DISCOVERY_LANE: LaneShape = { source: 1, destination: 1, maxLanes: 1 };

/** Lanes an account may use when the plan does not say (`limits.connectionsPerAccount`). */
export const DEFAULT_LANES = 2;

/** The connection limits of a plan, as far as the caps need them. */
export interface ConnectionLimits {
  limits: { accountsInParallel: number; connectionsPerAccount?: number };
  source: { maxConnections: number; maxConnectionsTotal: number };
  destination: { maxConnections: number; maxConnectionsTotal: number };
}

/** Lanes per account and accounts at once: never zero, within every cap. */
export interface ConnectionCaps {
  lanesPerAccount: number;
  accountsAtOnce: number;
}

/**
 * The lanes one account may use and the accounts that may run at once with lanes of this shape.
 * A cap smaller than one lane still allows one (a plan's `maxConnections` is at least 2).
 */
export function connectionCaps(plan: ConnectionLimits, lane: LaneShape): ConnectionCaps {
  const lanesPerAccount = atLeastOne(
    plan.limits.connectionsPerAccount ?? DEFAULT_LANES,
    lane.maxLanes ?? Infinity,
    plan.source.maxConnections / lane.source,
    plan.destination.maxConnections / lane.destination,
  );
  const accountsAtOnce = atLeastOne(
    plan.limits.accountsInParallel,
    plan.source.maxConnectionsTotal / (lane.source * lanesPerAccount),
    plan.destination.maxConnectionsTotal / (lane.destination * lanesPerAccount),
  );
  return { lanesPerAccount, accountsAtOnce };
}

/**
 * How far an account may grow past the default lanes when its work asks for more (many folders,
 * each costing round trips another lane can overlap) and the plan does not fix its lanes: up to
 * its per-account caps on both servers, while the run's total caps hold `total` lanes of this
 * shape. `connectionCaps` still counts the default lanes per account when it decides how many
 * accounts run at once, so growing never makes fewer accounts run together (engine/lane-budget.ts
 * keeps each waiting account's default lanes free).
 */
export interface LaneGrowth {
  /** Lanes one account may hold at most. */
  perAccount: number;
  /** Lanes all accounts of the run may hold together. */
  total: number;
}

/** The lanes an account may grow to, and the run's total, for lanes of this shape. */
export function laneGrowth(plan: ConnectionLimits, lane: LaneShape): LaneGrowth {
  return {
    perAccount: atLeastOne(
      lane.maxLanes ?? Infinity,
      plan.source.maxConnections / lane.source,
      plan.destination.maxConnections / lane.destination,
    ),
    total: atLeastOne(
      plan.source.maxConnectionsTotal / lane.source,
      plan.destination.maxConnectionsTotal / lane.destination,
    ),
  };
}

function atLeastOne(...bounds: number[]): number {
  return Math.max(1, Math.floor(Math.min(...bounds)));
}
