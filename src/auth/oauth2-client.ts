/**
 * The OAuth2 client side, done by openid-client 6 (https://github.com/panva/openid-client, on top
 * of oauth4webapi): server metadata from a provider preset or from discovery (RFC 8414 / OpenID
 * Connect Discovery), and the grants mailshift uses: device authorization (RFC 8628), refresh
 * (RFC 6749 section 6), client credentials (section 4.4) and a JWT bearer assertion (RFC 7523).
 * Nothing here writes a token exchange by hand.
 */
import * as oidc from 'openid-client';
import { MailshiftError } from '../core/errors.js';
import type { OAuth2Profile } from '../core/logins.js';
import { PROVIDER_PRESETS } from '../core/providers.js';
import { grantError, type GrantContext } from './oauth2-errors.js';

/** A token endpoint's answer as mailshift keeps it. */
export interface TokenAnswer {
  accessToken: string;
  refreshToken?: string;
  /** Seconds the access token lives, when the server said. */
  expiresIn?: number;
  /** Scopes the server said it granted (space-separated), when it said. */
  scope?: string;
}

/** The device authorization response (RFC 8628 section 3.2) a person needs to see. */
export type DeviceAuthorization = oidc.DeviceAuthorizationResponse;

/** The RFC 7523 grant type. */
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Seconds any one request to an OAuth2 server may take. */
const REQUEST_TIMEOUT_S = 30;

/**
 * Plain HTTP is accepted only on the loopback interface (a local identity provider, the tests):
 * RFC 8252 section 8.3 makes the same exception for redirects. Everywhere else a token or secret
 * would cross the network in clear.
 */
export function isLoopbackHttp(url: URL): boolean {
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function checkUrl(url: URL, profile: OAuth2Profile, what: string): boolean {
  if (url.protocol === 'https:') return false;
  if (isLoopbackHttp(url)) return true;
  throw new MailshiftError(`${what} of oauth2.${profile.name} (${url.href}) is not https`, {
    code: 'PLAN_INVALID',
    scope: 'run',
    hint: 'use the https address (plain http is accepted only on 127.0.0.1 / localhost)',
  });
}

/**
 * Google's JWT-bearer exchange carries no client authentication ("no client authentication, no
 * refresh token": the assertion is the credential), so nothing is added to the request, not even
 * a client_id.
 */
const assertionOnly: oidc.ClientAuth = () => {};

/** What a configuration needs besides the profile: the client secret, already read. */
export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
}

/**
 * The openid-client configuration of a profile: a preset's endpoints, or the issuer's discovery
 * document (one request).
 * @throws StoreError `connection` when discovery cannot reach the issuer
 */
export async function configure(
  profile: OAuth2Profile,
  client: ClientCredentials,
): Promise<oidc.Configuration> {
  const auth = client.clientSecret !== undefined ? oidc.ClientSecretPost(client.clientSecret) : oidc.None();
  let config: oidc.Configuration;
  let insecure = false;
  if (profile.provider === 'generic') {
    const issuer = new URL(profile.issuer ?? '');
    insecure = checkUrl(issuer, profile, 'issuer');
    try {
      config = await oidc.discovery(issuer, client.clientId, client.clientSecret, auth, {
        execute: insecure ? [oidc.allowInsecureRequests] : [],
        timeout: REQUEST_TIMEOUT_S,
      });
    } catch (err) {
      throw grantError(err, { profile, grant: 'discovery' });
    }
  } else {
    const metadata = PROVIDER_PRESETS[profile.provider].endpoints(profile.tenant ?? 'organizations');
    config = new oidc.Configuration(metadata, client.clientId, client.clientSecret, auth);
  }
  if (insecure) oidc.allowInsecureRequests(config);
  config.timeout = REQUEST_TIMEOUT_S;
  return config;
}

/**
 * A configuration that only posts assertions to `tokenUrl` (a service account key's `token_uri`).
 */
export function assertionConfiguration(
  profile: OAuth2Profile,
  tokenUrl: string,
  clientId: string,
): oidc.Configuration {
  const url = new URL(tokenUrl);
  const insecure = checkUrl(url, profile, 'token_uri of the service account key');
  const config = new oidc.Configuration(
    { issuer: url.origin, token_endpoint: url.href },
    clientId,
    undefined,
    assertionOnly,
  );
  if (insecure) oidc.allowInsecureRequests(config);
  config.timeout = REQUEST_TIMEOUT_S;
  return config;
}

function answer(r: oidc.TokenEndpointResponse): TokenAnswer {
  return {
    accessToken: r.access_token,
    ...(r.refresh_token !== undefined ? { refreshToken: r.refresh_token } : {}),
    ...(typeof r.expires_in === 'number' ? { expiresIn: r.expires_in } : {}),
    ...(typeof r.scope === 'string' ? { scope: r.scope } : {}),
  };
}

async function grant<T>(c: GrantContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw grantError(err, c);
  }
}

/** Starts a device authorization (RFC 8628 section 3.1). */
export function startDeviceAuthorization(
  config: oidc.Configuration,
  scopes: string[],
  c: GrantContext,
): Promise<DeviceAuthorization> {
  return grant(c, () => oidc.initiateDeviceAuthorization(config, { scope: scopes.join(' ') }));
}

/**
 * Polls until the person decides (RFC 8628 section 3.4-3.5: `authorization_pending` and
 * `slow_down` are handled by openid-client, at the interval the server asked for).
 * @throws MailshiftError AUTH_OAUTH_DECLINED (access_denied, or Microsoft's authorization_declined),
 *   AUTH_OAUTH_EXPIRED, or the abort reason when `signal` fires
 */
export async function pollDevice(
  config: oidc.Configuration,
  authorization: DeviceAuthorization,
  c: GrantContext,
  signal?: AbortSignal,
): Promise<TokenAnswer> {
  return answer(
    await grant(c, () =>
      oidc.pollDeviceAuthorizationGrant(config, authorization, undefined, signal ? { signal } : {}),
    ),
  );
}

/**
 * A refresh. Microsoft's v2 endpoint wants the scopes again on every refresh; RFC 6749 section 6
 * makes them optional (the grant's own when absent), which is what other servers get.
 */
export async function refresh(
  config: oidc.Configuration,
  refreshToken: string,
  scopes: string[] | undefined,
  c: GrantContext,
): Promise<TokenAnswer> {
  const params = scopes ? { scope: scopes.join(' ') } : undefined;
  return answer(await grant(c, () => oidc.refreshTokenGrant(config, refreshToken, params)));
}

/** Client credentials (RFC 6749 section 4.4): an app-only token. */
export async function clientCredentials(
  config: oidc.Configuration,
  scopes: string[],
  c: GrantContext,
): Promise<TokenAnswer> {
  return answer(await grant(c, () => oidc.clientCredentialsGrant(config, { scope: scopes.join(' ') })));
}

/** Exchanges a signed assertion for an access token (RFC 7523 section 2.1). */
export async function jwtBearer(
  config: oidc.Configuration,
  assertion: string,
  c: GrantContext,
): Promise<TokenAnswer> {
  return answer(await grant(c, () => oidc.genericGrantRequest(config, JWT_BEARER, { assertion })));
}
