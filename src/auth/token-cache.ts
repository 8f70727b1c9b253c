/**
 * When an access token is due for a refresh: ahead of its expiry by five minutes, or by a fifth of
 * its life when it lives less than 25 minutes (a 20-second token is renewed 4 seconds early, a
 * one-hour token 5 minutes early). A connection logging in with a token that expires while the
 * login is in flight would be refused for nothing, and providers' clocks differ from ours by a few
 * seconds.
 */

/** The most a token is renewed ahead of its expiry. */
export const REFRESH_AHEAD_MAX_MS = 5 * 60_000;

/** The share of a token's life renewed ahead of its expiry, for short-lived tokens. */
export const REFRESH_AHEAD_SHARE = 0.2;

/** An access token held in memory, with what is known of its life. */
export interface CachedToken {
  accessToken: string;
  /** When it was obtained and when it expires (ms since the epoch); expiry unknown when absent. */
  obtainedAt: number;
  expiresAt?: number;
  scope?: string;
}

/** True when `t` should be replaced before it is used at `now` (ms). */
export function needsRefresh(t: CachedToken, now: number): boolean {
  if (t.expiresAt === undefined) return false;
  const life = Math.max(0, t.expiresAt - t.obtainedAt);
  const margin = Math.min(REFRESH_AHEAD_MAX_MS, REFRESH_AHEAD_SHARE * life);
  return t.expiresAt - now <= margin;
}
