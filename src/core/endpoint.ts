/**
 * One side of one account as the stores reach it: the server's settings, the user, and where its
 * secret comes from. Plan files produce these; the IMAP layer consumes them.
 */

/** Which end of the migration a connection talks to: named in every error. */
export type Side = 'source' | 'destination';

/** How a connection is secured: implicit TLS, STARTTLS (required, never skipped), or plain text. */
export type Security = 'tls' | 'starttls' | 'none';

/** A server as the plan describes it (plan/schema.ts gives the defaults). */
export interface ServerSettings {
  host: string;
  port: number;
  security: Security;
  /** Check the certificate chain and host name. */
  tlsVerify: boolean;
  /** TLS server name when it differs from host. */
  servername?: string;
  /** Connections one account may hold on this server at once. */
  maxConnections: number;
  /** Connections the whole run may hold on this server at once. */
  maxConnectionsTotal: number;
  /** Silence after which a connection counts as lost. */
  timeoutMs: number;
}

/**
 * What a refused login with a secret means, and what to do about it: the credentials layer knows
 * where the secret came from (a person's sign-in, an app registration, an admin's rights), the
 * IMAP layer only that the server said no.
 */
export interface RefusalAdvice {
  /** Error code of the refusal (`AUTH_*`). */
  code: string;
  /** What was refused, naming the account and where its secret came from. */
  what: string;
  /** What to do, in one sentence (e.g. the `mailshift login ...` command to run). */
  hint: string;
}

/**
 * A secret ready for login: a password, an OAuth2 access token, or an admin's password used on
 * behalf of the endpoint's user (`form` says how: SASL PLAIN authorization identity, RFC 4616, or
 * Dovecot's `user<separator>admin`).
 */
export type Secret =
  | { kind: 'password'; value: string; refusal?: RefusalAdvice }
  | { kind: 'token'; value: string; refusal?: RefusalAdvice }
  | {
      kind: 'admin';
      admin: string;
      value: string;
      form: 'authzid' | 'separator';
      separator: string;
      refusal?: RefusalAdvice;
    };

/** Everything needed to log in to one side for one account. */
export interface Endpoint {
  side: Side;
  server: ServerSettings;
  user: string;
  /**
   * Called on every (re)connect, so a token file or command is read again and an OAuth2 token is
   * refreshed ahead of expiry. Called with the secret a server just refused, it gives a new one if
   * it can (an OAuth2 token is then refreshed at once, whatever its expiry said).
   */
  secret: (refused?: Secret) => Promise<Secret>;
}

/** Describes a server for messages: "source imap.old.example:993 (tls)". */
export function describeServer(e: Pick<Endpoint, 'side' | 'server'>): string {
  return `${e.side} ${e.server.host}:${e.server.port} (${e.server.security})`;
}
