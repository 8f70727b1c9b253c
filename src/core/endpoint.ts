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

/** A secret ready for login: a password, or an OAuth2 access token. */
export type Secret = { kind: 'password'; value: string } | { kind: 'token'; value: string };

/** Everything needed to log in to one side for one account. */
export interface Endpoint {
  side: Side;
  server: ServerSettings;
  user: string;
  /** Called on every (re)connect, so a token file or command is read again (asynchronously). */
  secret: () => Promise<Secret>;
}

/** Describes a server for messages: "source imap.old.example:993 (tls)". */
export function describeServer(e: Pick<Endpoint, 'side' | 'server'>): string {
  return `${e.side} ${e.server.host}:${e.server.port} (${e.server.security})`;
}
