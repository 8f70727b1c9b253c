/**
 * Opens imapflow connections from a plan's server settings and turns its failures into errors
 * that name the server and the account and say what to check.
 */
import { ImapFlow } from 'imapflow';
import type { Logger } from '../shared/logger.js';
import { MailshiftError } from '../core/errors.js';
import type { Secret } from '../core/endpoint.js';
import { describeServer, type Endpoint } from '../core/endpoint.js';

/**
 * Classifies a connection or login failure.
 * @returns a MailshiftError of account scope naming server, user and what to check.
 */
export function classifyConnectError(e: Endpoint, err: unknown): MailshiftError {
  if (err instanceof MailshiftError) return err;
  const any = err as {
    code?: string;
    authenticationFailed?: boolean;
    message?: string;
    responseText?: string;
  };
  const where = `${describeServer(e)} for ${e.user}`;
  const msg = `${any.message ?? ''} ${any.responseText ?? ''}`;
  if (any.authenticationFailed || /AUTHENTICATIONFAILED|authentication failed|LOGIN failed/i.test(msg)) {
    return new MailshiftError(`login refused by ${where}`, {
      code: 'AUTH_FAILED',
      scope: 'account',
      hint: `check the ${e.side} user name and password of this account in the plan; a token (tokenFile, tokenCommand) is read again on every connect: refresh it and run again`,
      cause: err,
    });
  }
  if (
    /certificate|self[- ]signed|CERT_|unable to verify|altnames/i.test(msg) ||
    /CERT|SELF_SIGNED/.test(any.code ?? '')
  ) {
    return new MailshiftError(`TLS certificate of ${where} could not be verified: ${any.message ?? ''}`, {
      code: 'CONN_TLS',
      scope: 'account',
      hint: `if you trust this server, set ${e.side}.tlsVerify: false in the plan (only for that server)`,
      cause: err,
    });
  }
  if (any.code === 'ENOTFOUND' || any.code === 'EAI_AGAIN') {
    return new MailshiftError(`unknown host ${e.server.host} (${e.side} server)`, {
      code: 'CONN_UNKNOWN_HOST',
      scope: 'account',
      hint: `check ${e.side}.host in the plan and the machine's DNS`,
      cause: err,
    });
  }
  if (/STARTTLS/i.test(msg)) {
    return new MailshiftError(`${where}: STARTTLS was requested but the server does not offer it`, {
      code: 'CONN_STARTTLS',
      scope: 'account',
      hint: `use security: tls (usually port 993), or security: none only on a trusted network`,
      cause: err,
    });
  }
  return new MailshiftError(
    `cannot connect to ${where}: ${any.code ?? ''} ${any.message ?? String(err)}`.trim(),
    {
      code: 'CONN_FAILED',
      scope: 'account',
      hint: `check ${e.side}.host, port and security in the plan, and that the server is reachable from here`,
      cause: err,
    },
  );
}

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
  } as ConstructorParameters<typeof ImapFlow>[0];
}

/**
 * Connects and logs in.
 * @throws MailshiftError AUTH_FAILED / CONN_* of account scope.
 */
export async function openImap(e: Endpoint, logger: Logger | false = false): Promise<ImapFlow> {
  return withFreshToken(e, async (secret) => {
    const client = new ImapFlow(imapflowOptions(e, logger, secret));
    // An 'error' event without a listener would crash the process; failures surface through calls.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (err) {
      client.close();
      throw classifyConnectError(e, err);
    }
    return client;
  });
}

/**
 * Logs in with the endpoint's secret. A refused token is read once more: when the file or command
 * now gives another one, it was refreshed while we logged in with the expiring one, so try that.
 * @throws MailshiftError AUTH_FAILED / CONN_* of account scope.
 */
export async function withFreshToken<T>(e: Endpoint, login: (secret: Secret) => Promise<T>): Promise<T> {
  const first = await e.secret();
  try {
    return await login(first);
  } catch (err) {
    if (first.kind !== 'token' || !(err instanceof MailshiftError) || err.code !== 'AUTH_FAILED') throw err;
    const again = await e.secret();
    if (again.value === first.value) throw err;
    return login(again);
  }
}
