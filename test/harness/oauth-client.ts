/**
 * The client side of the harness's OAuth server, for tests that need tokens: the device flow
 * (RFC 8628 section 3.1 and 3.4, with a test playing the person), client credentials, refresh,
 * revocation (RFC 7009), a Google-style JWT-bearer assertion (RFC 7523) and introspection as
 * Dovecot does it (RFC 7662). Plain HTTP requests, so that a test sees each protocol step; mailshift
 * itself uses a client library.
 */
import { SignJWT, type CryptoKey, type KeyObject } from 'jose';
import { JWT_BEARER_GRANT } from './oauth-jwt-bearer.js';
import { approveDeviceCode } from './oauth-person.js';
import {
  DEVICE_CODE_GRANT,
  type OAuthApp,
  type OAuthClient,
  type OAuthServer,
  type Person,
} from './oauth-server.js';

/** A successful token response (RFC 6749 section 5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
  id_token?: string;
}

/** The device authorization response (RFC 8628 section 3.2). */
export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

/** An error response from an OAuth endpoint (RFC 6749 section 5.2). */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${status} ${error}: ${description}`);
  }
}

/** Posts a form and returns the JSON answer. @throws OAuthError on a non-2xx answer. */
export async function postForm<T>(url: string, fields: Record<string, string | undefined>): Promise<T> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.set(k, v);
  const res = await fetch(url, { method: 'POST', body, headers: { accept: 'application/json' } });
  const text = await res.text();
  const json = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  if (!res.ok) throw new OAuthError(res.status, String(json.error), String(json.error_description ?? ''));
  return json as T;
}

function credentials(client: OAuthClient) {
  return { client_id: client.clientId, client_secret: client.clientSecret };
}

/** Starts a device authorization (RFC 8628 section 3.1). */
export function startDeviceAuthorization(
  server: OAuthServer,
  client: OAuthClient,
  scope: string,
): Promise<DeviceAuthorization> {
  return postForm(server.deviceAuthorizationUrl, { ...credentials(client), scope });
}

/**
 * Polls the token endpoint for a device code (RFC 8628 section 3.4) until the person decided.
 * @throws OAuthError when the person refused (`access_denied`) or the code expired.
 */
export async function pollDeviceToken(
  server: OAuthServer,
  client: OAuthClient,
  deviceCode: string,
  intervalMs = 100,
): Promise<TokenResponse> {
  for (;;) {
    try {
      return await postForm(server.tokenUrl, {
        ...credentials(client),
        grant_type: DEVICE_CODE_GRANT,
        device_code: deviceCode,
      });
    } catch (e) {
      if (!(e instanceof OAuthError) || e.error !== 'authorization_pending') throw e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The whole device flow: authorization, the person's approval, the token.
 * @param scope e.g. `${IMAP_SCOPE} offline_access` for a refresh token as well.
 */
export async function deviceLogin(
  server: OAuthServer,
  client: OAuthClient,
  person: Person,
  scope: string,
): Promise<TokenResponse> {
  const auth = await startDeviceAuthorization(server, client, scope);
  await approveDeviceCode({ verificationUri: auth.verification_uri, userCode: auth.user_code, ...person });
  return pollDeviceToken(server, client, auth.device_code);
}

/** Client credentials (RFC 6749 section 4.4) for an app. */
export function clientCredentials(server: OAuthServer, app: OAuthApp, scope: string): Promise<TokenResponse> {
  return postForm(server.tokenUrl, {
    client_id: app.clientId,
    client_secret: app.clientSecret,
    grant_type: 'client_credentials',
    scope,
  });
}

/** A refresh (RFC 6749 section 6); the answer may carry a new refresh token (rotation). */
export function refresh(
  server: OAuthServer,
  client: OAuthClient,
  refreshToken: string,
): Promise<TokenResponse> {
  return postForm(server.tokenUrl, {
    ...credentials(client),
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
}

/** Revokes a token of `client` (RFC 7009); revoking a refresh token ends its whole grant. */
export async function revoke(server: OAuthServer, client: OAuthClient, token: string): Promise<void> {
  await postForm(server.revocationUrl, { ...credentials(client), token });
}

/** Asks the introspection endpoint about a token exactly as Dovecot does (`user` = the login name). */
export function introspect(
  server: OAuthServer,
  token: string,
  user: string,
): Promise<Record<string, unknown>> {
  const { clientId, clientSecret } = server.dovecot;
  return postForm(server.introspectionUrl, { token, client_id: clientId, client_secret: clientSecret, user });
}

/** The claims of a Google-style service account assertion. */
export interface AssertionClaims {
  /** The service account's address. */
  iss: string;
  /** The mailbox to act as (domain-wide delegation). */
  sub?: string;
  scope: string;
  /** The token endpoint; the server's `jwtBearerTokenUrl` by default. */
  aud?: string;
  /** Seconds between `iat` and `exp` (Google allows at most 3600). */
  lifetime?: number;
}

/** Signs an assertion with RS256 as Google's client libraries do (RFC 7523 section 3). */
export function signAssertion(
  server: OAuthServer,
  privateKey: CryptoKey | KeyObject,
  claims: AssertionClaims,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: claims.scope })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(claims.iss)
    .setAudience(claims.aud ?? server.jwtBearerTokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.lifetime ?? 3600));
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  return jwt.sign(privateKey);
}

/** Exchanges an assertion for an access token at the JWT-bearer endpoint (no client authentication). */
export function jwtBearerToken(server: OAuthServer, assertion: string): Promise<TokenResponse> {
  return postForm(server.jwtBearerTokenUrl, { grant_type: JWT_BEARER_GRANT, assertion });
}
