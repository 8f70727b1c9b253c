/**
 * Opens imapflow connections from a plan's server settings and turns its failures into errors
 * that name the server and the account and say what to check.
 */
import type { ImapFlow, ImapFlowOptions } from 'imapflow';
import type { Logger } from '../shared/logger.js';
import { scrubbingLogger, secretForms } from '../shared/secret-scrub.js';
import { isStoreError, StoreError } from '../core/errors.js';
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
    auth: imapflowAuth(e.user, secret),
    // At debug level imapflow logs what the server says: one that echoes the password (or the
    // token) in a refusal must not put it in the run log.
    logger: logger === false ? false : (imapLogger(logger, e, secret) as never),
    disableAutoIdle: true,
    // A server that accepts but never greets is a stalled connection like any other.
    connectionTimeout: Math.min(30_000, e.server.timeoutMs),
    greetingTimeout: Math.min(30_000, e.server.timeoutMs),
    socketTimeout: e.server.timeoutMs,
    clientInfo: { name: 'mailshift' },
    // Message bodies travel on mailshift's own connections; these carry LIST, STATUS and flags,
    // which DEFLATE would not shorten by a round trip (COMPRESS costs one).
    disableCompression: true,
    // Bounds against a broken or hostile server (imapflow's own defaults are 1-2 GB): a response line
    // is never near 1 MiB, and no mail message near 512 MiB (Exchange Online's largest is 150 MB).
    maxLineLength: 1024 * 1024,
    maxLiteralSize: 512 * 1024 * 1024,
    maxResponseSize: 520 * 1024 * 1024,
  } as ConstructorParameters<typeof ImapFlow>[0];
}

/** The connection's logger: its side and user bound, and the secret it logs in with scrubbed. */
export function imapLogger(logger: Logger, e: Endpoint, secret: Secret): Logger {
  const forms = secretForms(e.user, secret.value);
  if (secret.kind === 'admin') {
    // The SASL PLAIN response of an admin login carries the admin's name (and the user as authzid).
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    forms.push(
      ...secretForms(`${e.user}${secret.separator}${secret.admin}`, secret.value),
      b64(`${e.user}\0${secret.admin}\0${secret.value}`),
    );
  }
  return scrubbingLogger(logger, forms).child({ side: e.side, user: e.user });
}

/**
 * imapflow's `auth` for a secret. imapflow 2.10.2 sends SASL PLAIN with an authorization identity
 * when given `authzid` (lib/commands/authenticate.js); `loginMethod: 'AUTH=PLAIN'` keeps it from
 * choosing AUTH=LOGIN, which has no authorization identity.
 */
export function imapflowAuth(user: string, secret: Secret): ImapFlowOptions['auth'] {
  switch (secret.kind) {
    case 'token':
      return { user, accessToken: secret.value };
    case 'password':
      return { user, pass: secret.value };
    case 'admin':
      return secret.form === 'authzid'
        ? { user: secret.admin, pass: secret.value, authzid: user, loginMethod: 'AUTH=PLAIN' }
        : { user: `${user}${secret.separator}${secret.admin}`, pass: secret.value };
  }
}

/**
 * Connects and logs in.
 * @throws StoreError `auth`, `tls`, `connection` or `throttled`, naming the server and the user.
 */
export async function openImap(e: Endpoint, logger: Logger | false = false): Promise<ImapFlow> {
  // Loaded at the first imapflow connection: a no-op re-run (folder-listing.ts) needs none, and
  // imapflow with its MIME and encoding tables is about a sixth of the code a run would compile.
  const { ImapFlow } = await import('imapflow');
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
 * Logs in with the endpoint's secret. A refused token or admin login is tried once more with what
 * the endpoint gives when told of the refusal: a token file or command read again, an OAuth2 token
 * refreshed at once. When that is the same secret, or is refused too, the error says what the
 * credentials layer advises (sign in again, give the app or the admin rights on the mailbox).
 * @throws StoreError `auth`, `tls`, `connection` or `throttled`, naming the server and the user.
 */
export async function withFreshToken<T>(e: Endpoint, login: (secret: Secret) => Promise<T>): Promise<T> {
  const first = await e.secret();
  try {
    return await login(first);
  } catch (err) {
    if (first.kind === 'password' || !isStoreError(err, 'auth')) throw advised(err, first);
    const again = await e.secret(first);
    if (sameSecret(again, first)) throw advised(err, first);
    try {
      return await login(again);
    } catch (err2) {
      throw advised(err2, again);
    }
  }
}

function sameSecret(a: Secret, b: Secret): boolean {
  return a.kind === b.kind && a.value === b.value;
}

/** A refused login's error with the credentials layer's advice, when it gave one. */
function advised(err: unknown, secret: Secret): unknown {
  const advice = secret.refusal;
  if (!advice || !isStoreError(err, 'auth')) return err;
  return new StoreError(`${err.message}: ${advice.what}`, {
    kind: 'auth',
    code: advice.code,
    responseCode: err.responseCode,
    serverText: err.serverText,
    hint: advice.hint,
    cause: err,
  });
}
