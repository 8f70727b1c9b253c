/**
 * The lanes of a run shared among its accounts: an account with many folders takes more than the
 * default lanes (connections follow the work), but never so many that an account waiting for its
 * turn would find fewer than the default, and never more than the plan's caps allow
 * (core/connection-caps.ts `laneGrowth`). An account takes its lanes once its folders are known
 * and gives them back when it ends.
 */

/** What the budget is built from: the caps of the run, in lanes. */
export interface LaneBudgetLimits {
  /** Lanes every account is sure of (`connectionCaps(...).lanesPerAccount`). */
  base: number;
  /** Accounts that may run at once (`connectionCaps(...).accountsAtOnce`). */
  accountsAtOnce: number;
  /** Lanes one account may hold at most (`laneGrowth(...).perAccount`). */
  perAccount: number;
  /** Lanes the whole run may hold (`laneGrowth(...).total`). */
  total: number;
}

/** The lanes the accounts of one run hold. */
export class LaneBudget {
  private used = 0;
  private holders = 0;

  constructor(private readonly limits: LaneBudgetLimits) {}

  /**
   * Takes lanes for an account that wants `want`: as many as the caps and the accounts that may
   * still start leave, at least one. Give them back with `give`.
   */
  take(want: number): number {
    const { base, accountsAtOnce, perAccount, total } = this.limits;
    // Every other account that may run at the same time keeps its default lanes.
    const othersMayStart = Math.max(0, accountsAtOnce - this.holders - 1);
    const free = total - this.used - base * othersMayStart;
    const granted = Math.max(1, Math.min(want, perAccount, free));
    this.used += granted;
    this.holders++;
    return granted;
  }

  /** Gives back lanes `take` granted, once the account has closed them. */
  give(lanes: number): void {
    this.used -= lanes;
    this.holders--;
  }

  /** Lanes held now (tests, logs). */
  get held(): number {
    return this.used;
  }
}
