/**
 * A token endpoint that behaves like Google's for a service account with domain-wide delegation:
 * the client posts `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and an `assertion`, a
 * JWT signed with the service account's private key (RFC 7523 section 2.1), and gets an access
 * token for the mailbox named in `sub`, with no client authentication and no refresh token.
 * Google: https://developers.google.com/identity/protocols/oauth2/service-account
 *
 * oidc-provider has no such grant, and its token endpoint always authenticates a client, which
 * Google's request does not carry. So this endpoint verifies the assertion itself with `jose` and
 * then issues an ordinary access token of the provider (a `Grant` standing for the domain-wide
 * delegation, an `AccessToken` under it): Dovecot checks it at the same introspection endpoint
 * as every other token, and it expires and can be revoked the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  decodeJwt,
  errors as joseErrors,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';
import type Provider from 'oidc-provider';
import { readForm, sendJson } from './oauth-http.js';

/** The grant type of RFC 7523 section 2.1. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Google refuses an assertion that lives longer than this (`exp` - `iat`, in seconds). */
const MAX_ASSERTION_LIFETIME = 3600;

/** A service account as the harness knows it: what Google's console and Admin console hold. */
export interface ServiceAccount {
  /** The account's address, the assertion's `iss`. */
  email: string;
  /** Its numeric client ID, the one an administrator authorizes for domain-wide delegation. */
  clientId: string;
  /** The public half of its key pair (RS256). */
  publicKey: KeyObject | CryptoKey | JWK;
  /** Scopes granted to it by domain-wide delegation (Admin console, "API controls"). */
  delegatedScopes: string[];
}

/** What the endpoint needs from the server it runs in. */
export interface JwtBearerContext {
  provider: Provider;
  /** This endpoint's own URL: the audience every assertion must name. */
  tokenUrl: string;
  serviceAccounts: readonly ServiceAccount[];
  /** Mailboxes that exist (lower case): `sub` must name one. */
  mailboxes: ReadonlySet<string>;
  /** Resource indicator (RFC 8707) the tokens are for: the IMAP server. */
  resource: string;
  /** Access-token lifetime, seconds. */
  accessTokenTtl: number;
}

/** An OAuth error response (RFC 6749 section 5.2). */
class TokenError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

/**
 * Serves POST requests to the JWT-bearer token endpoint.
 * @returns a request handler; it answers every request it is given.
 */
export function jwtBearerHandler(
  context: JwtBearerContext,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      if (req.method !== 'POST') throw new TokenError(405, 'invalid_request', 'use POST');
      const form = await readForm(req);
      sendJson(res, 200, await issue(context, form));
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      sendJson(res, e.status, { error: e.code, error_description: e.message });
    }
  };
}

async function issue(context: JwtBearerContext, form: URLSearchParams) {
  if (form.get('grant_type') !== JWT_BEARER_GRANT) {
    throw new TokenError(400, 'unsupported_grant_type', `grant_type must be ${JWT_BEARER_GRANT}`);
  }
  const claims = await verifyAssertion(context, form.get('assertion') ?? '');
  const { account, subject, scopes } = claims;
  const grant = new context.provider.Grant({ accountId: subject, clientId: account.clientId });
  grant.addResourceScope(context.resource, scopes.join(' '));
  const grantId = await grant.save();
  const client = await context.provider.Client.find(account.clientId);
  if (!client) throw new Error(`service account client ${account.clientId} is not registered`);
  const token = new context.provider.AccessToken({
    client,
    accountId: subject,
    grantId,
    gty: 'jwt_bearer',
    scope: scopes.join(' '),
    expiresIn: context.accessTokenTtl,
  });
  token.setAudience(context.resource);
  return {
    access_token: await token.save(),
    expires_in: context.accessTokenTtl,
    token_type: 'Bearer',
  };
}

/**
 * Checks the assertion as Google documents it: signed by the key of the service account in `iss`,
 * `aud` this endpoint, `iat` and `exp` present at most an hour apart, `scope` a space-delimited
 * list; with `sub`, the mailbox to act as, every scope must be delegated to the account.
 */
async function verifyAssertion(context: JwtBearerContext, assertion: string) {
  if (!assertion) throw new TokenError(400, 'invalid_request', 'assertion is missing');
  let issuer: unknown;
  try {
    issuer = decodeJwt(assertion).iss;
  } catch {
    throw new TokenError(400, 'invalid_grant', 'assertion is not a JWT');
  }
  const account = context.serviceAccounts.find((a) => a.email === issuer);
  if (!account) throw new TokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
  const payload = await verifySignature(context, account, assertion);
  const iat = Number(payload.iat);
  const exp = Number(payload.exp);
  if (exp - iat > MAX_ASSERTION_LIFETIME) {
    throw new TokenError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes)');
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  if (scopes.length === 0) throw new TokenError(400, 'invalid_scope', 'scope claim is missing');
  const subject = typeof payload.sub === 'string' ? payload.sub.toLowerCase() : account.email;
  if (payload.sub !== undefined) {
    if (!context.mailboxes.has(subject))
      throw new TokenError(400, 'invalid_grant', 'Invalid email or User ID');
    if (!scopes.every((s) => account.delegatedScopes.includes(s))) {
      throw new TokenError(
        401,
        'unauthorized_client',
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      );
    }
  }
  return { account, subject, scopes };
}

async function verifySignature(context: JwtBearerContext, account: ServiceAccount, assertion: string) {
  const key = 'kty' in account.publicKey ? await importJWK(account.publicKey, 'RS256') : account.publicKey;
  try {
    const { payload } = await jwtVerify(assertion, key, {
      algorithms: ['RS256'],
      issuer: account.email,
      audience: context.tokenUrl,
      requiredClaims: ['iat', 'exp'],
    });
    return payload;
  } catch (e) {
    if (e instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw new TokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    if (e instanceof joseErrors.JOSEError)
      throw new TokenError(400, 'invalid_grant', `Invalid JWT: ${e.message}`);
    throw e;
  }
}
