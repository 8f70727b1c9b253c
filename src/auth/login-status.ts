/**
 * What `mailshift login --status` shows for each side of each account: how it logs in and, from
 * the token file, when its sign-in was made and when its last access token expires. Read from the
 * file alone (no server is contacted), and never a token.
 */
import type { LoginSettings } from '../core/logins.js';
import type { AccountSide, Logins } from './logins.js';
import { terminalField } from '../shared/terminal-text.js';

/** One line of the status. */
export interface LoginStatusRow {
  account: string;
  side: AccountSide['side'];
  user: string;
  /** How it logs in, e.g. "OAuth2 device code (oauth2.m365)". */
  method: string;
  /** The sign-in and token state, e.g. "signed in 2025-01-02 10:00; access token expires 11:00". */
  state: string;
  /** False when a person must act before a run (sign in). */
  ready: boolean;
}

const FLOW_NAMES = {
  deviceCode: 'OAuth2 device code',
  clientCredentials: 'OAuth2 app-only (client credentials)',
  serviceAccount: 'OAuth2 service account',
};

function when(iso: string | undefined, now: number): string {
  if (!iso) return 'unknown';
  const t = Date.parse(iso);
  return `${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}${t <= now ? ' (expired)' : ''}`;
}

/**
 * The status of one side.
 * @param own how an account's own secret is given ("passwordFile secrets/a.txt"), for `method: own`
 */
export function loginStatus(
  logins: Logins,
  settings: LoginSettings,
  a: AccountSide,
  own: string,
  now = Date.now(),
): LoginStatusRow {
  const base = { account: a.account, side: a.side, user: a.user };
  switch (a.login.method) {
    case 'own':
      return { ...base, method: own, state: 'read from the plan on every connection', ready: true };
    case 'admin': {
      const admin = settings.admins[a.side];
      return {
        ...base,
        method: `admin ${admin?.user ?? '?'} (${admin?.form === 'separator' ? `${a.user}${admin.separator}${admin.user}` : 'authorization identity'})`,
        state: 'admin password read from the plan on every connection',
        ready: true,
      };
    }
    case 'oauth2': {
      const profile = logins.profile(a.login.profile);
      const method = `${FLOW_NAMES[profile.flow]} (oauth2.${profile.name})`;
      const entry = logins.store.get(logins.keyOf(profile, a.user));
      const token = entry?.accessExpiresAt
        ? `last access token expires ${when(entry.accessExpiresAt, now)}`
        : 'no token obtained yet';
      if (profile.flow !== 'deviceCode') {
        return {
          ...base,
          method,
          state: `no sign-in needed (a token is fetched when needed); ${token}`,
          ready: true,
        };
      }
      if (!entry?.refreshToken) {
        return { ...base, method, state: `not signed in: run ${logins.command(a)}`, ready: false };
      }
      return {
        ...base,
        method,
        state: `signed in ${when(entry.signedInAt, now)}; refresh token stored; ${token}`,
        ready: true,
      };
    }
  }
}

/** The rows as a plain text table for the console. */
export function formatLoginStatus(rows: LoginStatusRow[]): string {
  if (rows.length === 0) return 'No account matches.';
  return rows
    .map(
      (r) =>
        `${terminalField(r.account)} (${r.side}${r.user !== r.account ? ` ${terminalField(r.user)}` : ''})\n  ${r.method}\n  ${terminalField(r.state)}`,
    )
    .join('\n');
}
