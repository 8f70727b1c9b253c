/**
 * How each side of each account logs in, as the plan settles it and the credentials layer
 * (src/auth) carries it out: the account's own secret, an OAuth2 profile, or a server's admin.
 * Pure data: where a secret comes from is named (an environment variable, a file), never the
 * secret itself.
 */
import type { Side } from './endpoint.js';

/** Where a secret is read at the moment it is needed: an environment variable or a file. */
export type SecretSource = { env: string } | { file: string };

/**
 * The OAuth2 grants mailshift can use:
 * - `deviceCode`: a person signs in once per mailbox on another device (RFC 8628); the refresh
 *   token is stored;
 * - `clientCredentials`: an application with access to every mailbox (RFC 6749 section 4.4),
 *   Microsoft 365's app-only `IMAP.AccessAsApp`; no person;
 * - `serviceAccount`: a JWT assertion signed with a service account's key per mailbox (RFC 7523),
 *   Google Workspace's domain-wide delegation; no person.
 */
export type OAuth2Flow = 'deviceCode' | 'clientCredentials' | 'serviceAccount';

/** Providers with built-in endpoints, scopes and IMAP hosts, or any other by its issuer URL. */
export type OAuth2Provider = 'microsoft365' | 'google' | 'generic';

/** One OAuth2 client configuration of the plan, shared by every account that names it. */
export interface OAuth2Profile {
  /** The name the plan gives it (`oauth2: { <name>: ... }`), used in messages and the token file. */
  name: string;
  provider: OAuth2Provider;
  flow: OAuth2Flow;
  /** Microsoft 365: the tenant ID or domain, or `organizations` / `common`. */
  tenant?: string;
  /** A generic provider: its issuer URL, whose discovery document names the endpoints. */
  issuer?: string;
  /** The application (client) ID; for a service account, taken from its key when absent. */
  clientId?: string;
  /** A confidential client's secret (client credentials, and device flows that require one). */
  clientSecret?: SecretSource;
  /** A service account's JSON key (Google's format: client_email, private_key, token_uri). */
  serviceAccountKey?: SecretSource;
  /** Scopes to ask for; the provider's preset when absent. */
  scopes?: string[];
  /** The scope without which a token cannot open a mailbox; checked against what was granted. */
  imapScope?: string;
}

/**
 * An administrator who logs in on behalf of each mailbox (Dovecot master users, Cyrus admins):
 * `authzid` sends SASL PLAIN with the mailbox as authorization identity (RFC 4616), `separator`
 * logs in as `<mailbox><separator><admin>` (Dovecot's `auth_master_user_separator`).
 */
export interface AdminLogin {
  user: string;
  password: SecretSource;
  form: 'authzid' | 'separator';
  separator: string;
}

/** How one side of one account logs in. */
export type SideLogin =
  /** The account's own password or token (passwordEnv, passwordFile, tokenFile, tokenCommand). */
  | { method: 'own' }
  /** The named OAuth2 profile of the plan. */
  | { method: 'oauth2'; profile: string }
  /** The server's admin login, acting as the account's user. */
  | { method: 'admin' };

/** Everything the credentials layer needs from a plan, besides each account's own secrets. */
export interface LoginSettings {
  /** The plan's name and file, for the commands a message tells the user to run. */
  planPath: string;
  /** Folder relative secret files start from (the plan's). */
  planDir: string;
  profiles: Record<string, OAuth2Profile>;
  admins: Partial<Record<Side, AdminLogin>>;
}
