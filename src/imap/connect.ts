/**
 * Opens imapflow connections from a plan's server settings and turns its failures into errors
 * that name the server and the account and say what to check.
 */
import { ImapFlow } from 'imapflow';
import type { Logger } from '../shared/logger.js';
import { isStoreError } from '../core/errors.js';
import type { Endpoint, Secret } from '../core/endpoint.js';
import { connectError } from './store-errors.js';

/** imapflow options for an endpoint (exported for tests). */
export function imapflowOptions(
  e: Endpoint,
  logger: Logger | false,
  secret: Secret,
): ConstructorParameters<typeof ImapFlow>[0] {
  return {
    host: e.server.host,
    port: e.server.port,
    secure: e.server.security === 'tls',
    doSTARTTLS: e.server.security === 'starttls' ? true : e.server.security === 'none' ? false : undefined,
    servername: e.server.servername,
    tls: { rejectUnauthorized: e.server.tlsVerify, servername: e.server.servername },
    auth:
      secret.kind === 'token'
        ? { user: e.user, accessToken: secret.value }
        : { user: e.user, pass: secret.value },
    logger: logger === false ? false : (logger.child({ side: e.side, user: e.user }) as never),
    disableAutoIdle: true,
    // A server that accepts but never greets is a stalled connection like any other.
    connectionTimeout: Math.min(30_000, e.server.timeoutMs),
    greetingTimeout: Math.min(30_000, e.server.timeoutMs),
    socketTimeout: e.server.timeoutMs,
    clientInfo: { name: 'mailshift' },
    // Bounds against a broken or hostile server (imapflow's own defaults are 1-2 GB): a response line
    // is never near 1 MiB, and no mail message near 512 MiB (Exchange Online's largest is 150 MB).
    maxLineLength: 1024 * 1024,
    maxLiteralSize: 512 * 1024 * 1024,
    maxResponseSize: 520 * 1024 * 1024,
  } as ConstructorParameters<typeof ImapFlow>[0];
}

/**
 * Connects and logs in.
 * @throws StoreError `auth`, `tls`, `connection` or `throttled`, naming the server and the user.
 */
export async function openImap(e: Endpoint, logger: Logger | false = false): Promise<ImapFlow> {
  return withFreshToken(e, async (secret) => {
    const client = new ImapFlow(imapflowOptions(e, logger, secret));
    // An 'error' event without a listener would crash the process. Failures surface through calls,
    // but as "Connection not available": the error that ended the connection is kept for them.
    client.on('error', (err: unknown) => {
      if (!endings.has(client)) endings.set(client, { err, claimed: false });
    });
    try {
      await client.connect();
    } catch (err) {
      client.close();
      throw connectError(e, err);
    }
    return client;
  });
}

/** The error each connection ended with ('error' event), and whether a call has reported it. */
const endings = new WeakMap<ImapFlow, { err: unknown; claimed: boolean }>();

/**
 * The error imapflow ended a connection with (a server line or literal over the limits, a lost
 * socket), given once: to the first call that asks, which is the command it cut short (imapflow
 * runs one command at a time). Later calls only meet a closed connection.
 * @returns the error, or undefined when the connection has not ended with one or it was claimed
 */
export function claimEnding(client: ImapFlow): unknown {
  const ending = endings.get(client);
  if (!ending || ending.claimed) return undefined;
  ending.claimed = true;
  return ending.err;
}

/**
 * Logs in with the endpoint's secret. A refused token is read once more: when the file or command
 * now gives another one, it was refreshed while we logged in with the expiring one, so try that.
 * @throws StoreError `auth`, `tls`, `connection` or `throttled`, naming the server and the user.
 */
export async function withFreshToken<T>(e: Endpoint, login: (secret: Secret) => Promise<T>): Promise<T> {
  const first = await e.secret();
  try {
    return await login(first);
  } catch (err) {
    if (first.kind !== 'token' || !isStoreError(err, 'auth')) throw err;
    const again = await e.secret();
    if (again.value === first.value) throw err;
    return login(again);
  }
}
