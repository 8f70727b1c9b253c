/**
 * A real OAuth 2.0 authorization server on 127.0.0.1 for tests: oidc-provider (certified OpenID
 * Connect implementation, https://github.com/panva/node-oidc-provider) with
 *  - the device authorization grant (RFC 8628), its pages driven by a test playing the person
 *    (oauth-person.ts) through the sign-in and consent pages of oauth-interactions.ts;
 *  - client credentials (RFC 6749 section 4.4) for "apps", each allowed a list of mailboxes, as an
 *    Exchange administrator grants an app-only registration with Add-MailboxPermission;
 *  - refresh tokens (offline_access), token revocation (RFC 7009);
 *  - token introspection (RFC 7662) for Dovecot's oauth2 passdb, authenticated as a resource server;
 *  - a Google-style JWT-bearer endpoint for service accounts (RFC 7523, oauth-jwt-bearer.ts).
 *
 * Every access token is for one resource, the IMAP server (RFC 8707 resource indicator
 * `IMAP_RESOURCE`), whose scopes are `IMAP_SCOPE` and `OTHER_SCOPE`: a token asked for with
 * `OTHER_SCOPE` only is a valid token without the IMAP scope, which Dovecot must refuse. Access
 * tokens are opaque and short-lived (`accessTokenTtl`, 20 s by default) so that a copy outlives
 * several of them.
 *
 * Introspection names the mailbox a token opens in its `username` member (RFC 7662 section 2.2),
 * which Dovecot compares with the login name: the signed-in person for device-flow tokens, the
 * `sub` of the assertion for JWT-bearer tokens, and for an app's client-credentials token the
 * mailbox Dovecot asks about, when the app may open it; else the token is reported inactive there,
 * as Exchange refuses an app without mailbox permission. Dovecot 2.3.19 does not say which mailbox
 * it asks about, so its introspection URL names it (`?mailbox=`, one oauth2 passdb per mailbox, see
 * DovecotOAuth2); a newer Dovecot posts it as `user`, which is read too.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, {
  errors,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { DovecotOAuth2 } from './dovecot.js';
import { sendJson } from './oauth-http.js';
import { INTERACTION_PATH, interactionHandler } from './oauth-interactions.js';
import { jwtBearerHandler, type ServiceAccount } from './oauth-jwt-bearer.js';

/** The scope that lets a token open a mailbox over IMAP (Dovecot's `scope` setting). */
export const IMAP_SCOPE = 'imap';
/** Another scope of the same resource: a token with only this one must not open a mailbox. */
export const OTHER_SCOPE = 'calendar';
/** The resource indicator (RFC 8707) every access token is issued for: the IMAP server. */
export const IMAP_RESOURCE = 'urn:mailshift:test:imap';
/** The device authorization grant type (RFC 8628 section 3.4). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Where the JWT-bearer token endpoint listens (Google's is https://oauth2.googleapis.com/token). */
const JWT_BEARER_PATH = '/google/token';

/** A person who can sign in: a mailbox and its password. */
export interface Person {
  user: string;
  password: string;
}

/** An app-only registration: client credentials, and the mailboxes it was given access to. */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  mailboxes: string[];
}

/** A client as a test uses it; `clientSecret` absent for a public client. */
export interface OAuthClient {
  clientId: string;
  clientSecret?: string;
}

export interface OAuthServerOptions {
  /** People who can sign in (device flow) and mailboxes that exist. */
  people: Person[];
  /** Lifetime of access tokens, seconds (default 20). */
  accessTokenTtl?: number;
  /** App-only registrations (client credentials). */
  apps?: OAuthApp[];
  /** Service accounts with domain-wide delegation (JWT-bearer assertions). */
  serviceAccounts?: ServiceAccount[];
}

export interface OAuthServer {
  /** The issuer, e.g. `http://127.0.0.1:40123`; its discovery document is under `/.well-known/`. */
  url: string;
  tokenUrl: string;
  deviceAuthorizationUrl: string;
  introspectionUrl: string;
  revocationUrl: string;
  /** The Google-style token endpoint for JWT-bearer assertions (also their `aud`). */
  jwtBearerTokenUrl: string;
  accessTokenTtl: number;
  /** A public client for the device flow (no secret, as Microsoft's "public client flows"). */
  publicClient: OAuthClient;
  /** A confidential client for the device flow (with a secret, as Google's "TVs and devices" client). */
  confidentialClient: Required<OAuthClient>;
  /** What Dovecot needs to check tokens here: pass it as `oauth2` to startDovecot. */
  dovecot: DovecotOAuth2;
  stop(): Promise<void>;
}

/** Starts the server on a free loopback port; call `stop()` when done. */
export async function startOAuthServer(opts: OAuthServerOptions): Promise<OAuthServer> {
  const ttl = opts.accessTokenTtl ?? 20;
  const people = new Map(opts.people.map((p) => [p.user.toLowerCase(), p.password]));
  const apps = opts.apps ?? [];
  const serviceAccounts = opts.serviceAccounts ?? [];
  const secrets = { confidential: secret(), dovecot: secret() };
  const clients = clientList(secrets, apps, serviceAccounts);

  const server = createServer();
  const url = await listen(server);
  const provider = new Provider(url, await configuration(ttl, people, clients));
  provider.use(resourceServerView(apps));
  const jwtBearerTokenUrl = `${url}${JWT_BEARER_PATH}`;
  const routes = {
    provider: provider.callback(),
    interactions: interactionHandler(provider, people),
    jwtBearer: jwtBearerHandler({
      provider,
      tokenUrl: jwtBearerTokenUrl,
      serviceAccounts,
      mailboxes: new Set(people.keys()),
      resource: IMAP_RESOURCE,
      accessTokenTtl: ttl,
    }),
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', url).pathname;
    const route = path.startsWith(INTERACTION_PATH)
      ? routes.interactions
      : path === JWT_BEARER_PATH
        ? routes.jwtBearer
        : routes.provider;
    Promise.resolve(route(req, res)).catch((e: unknown) => failed(res, e));
  });

  const meta = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string
  >;
  return {
    url,
    tokenUrl: String(meta.token_endpoint),
    deviceAuthorizationUrl: String(meta.device_authorization_endpoint),
    introspectionUrl: String(meta.introspection_endpoint),
    revocationUrl: String(meta.revocation_endpoint),
    jwtBearerTokenUrl,
    accessTokenTtl: ttl,
    publicClient: { clientId: PUBLIC_CLIENT },
    confidentialClient: { clientId: CONFIDENTIAL_CLIENT, clientSecret: secrets.confidential },
    dovecot: {
      introspectionUrl: (mailbox) => `${meta.introspection_endpoint}?mailbox=${encodeURIComponent(mailbox)}`,
      clientId: DOVECOT_CLIENT,
      clientSecret: secrets.dovecot,
      scope: IMAP_SCOPE,
      usernameAttribute: 'username',
    },
    stop: () => close(server),
  };
}

const PUBLIC_CLIENT = 'mailshift-public';
const CONFIDENTIAL_CLIENT = 'mailshift-confidential';
const DOVECOT_CLIENT = 'dovecot';

function secret(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Every client the server knows: the two device-flow clients, Dovecot as a resource server (it
 * only introspects), the apps (client credentials only) and one client per service account (it
 * only holds the tokens the JWT-bearer endpoint issues).
 */
function clientList(
  secrets: { confidential: string; dovecot: string },
  apps: readonly OAuthApp[],
  serviceAccounts: readonly ServiceAccount[],
): ClientMetadata[] {
  const none = { redirect_uris: [], response_types: [] };
  const device = { ...none, grant_types: [DEVICE_CODE_GRANT, 'refresh_token'] };
  return [
    { ...device, client_id: PUBLIC_CLIENT, token_endpoint_auth_method: 'none' },
    {
      ...device,
      client_id: CONFIDENTIAL_CLIENT,
      client_secret: secrets.confidential,
      token_endpoint_auth_method: 'client_secret_post',
    },
    // Dovecot posts client_id and client_secret in the introspection body (dovecot-oauth2.conf.ext).
    {
      ...none,
      grant_types: [],
      client_id: DOVECOT_CLIENT,
      client_secret: secrets.dovecot,
      token_endpoint_auth_method: 'client_secret_post',
    },
    ...apps.map((a): ClientMetadata => ({
      ...none,
      grant_types: ['client_credentials'],
      client_id: a.clientId,
      client_secret: a.clientSecret,
      token_endpoint_auth_method: 'client_secret_post',
    })),
    ...serviceAccounts.map((s): ClientMetadata => ({
      ...none,
      grant_types: [],
      client_id: s.clientId,
      token_endpoint_auth_method: 'none',
    })),
  ];
}

async function configuration(
  ttl: number,
  people: ReadonlyMap<string, string>,
  clients: ClientMetadata[],
): Promise<Configuration> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'harness' };
  return {
    clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [secret()] },
    scopes: ['openid', 'offline_access', 'email'],
    claims: { openid: ['sub'], email: ['email'] },
    findAccount: (_ctx, id) =>
      people.has(id) ? { accountId: id, claims: () => ({ sub: id, email: id }) } : undefined,
    // RFC 7662 section 2.2 `username`: the mailbox the token opens (Dovecot's username_attribute).
    extraTokenClaims: (_ctx, token) => ('accountId' in token ? { username: token.accountId } : undefined),
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}${interaction.uid}` },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      DeviceCode: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
      IdToken: 3600,
    },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      // Only the resource server (Dovecot) may ask what a token is worth.
      introspection: { enabled: true, allowedPolicy: (_ctx, client) => client.clientId === DOVECOT_CLIENT },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => IMAP_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== IMAP_RESOURCE) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return { scope: `${IMAP_SCOPE} ${OTHER_SCOPE}`, accessTokenTTL: ttl, accessTokenFormat: 'opaque' };
        },
      },
    },
  };
}

/**
 * Shapes introspection answers as the IMAP server's own authorization would (Exchange checks both):
 * only an access token opens a mailbox, not a refresh token presented as one; and an app's token
 * (client credentials name no person) opens the mailbox Dovecot asks about (`mailbox` in the URL,
 * or `user` in the body) only if the app was given it.
 */
function resourceServerView(apps: readonly OAuthApp[]) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    await next();
    if (ctx.oidc?.route !== 'introspection') return;
    const answer = ctx.body as Record<string, unknown>;
    if (answer.active !== true || answer.username !== undefined) return;
    // A refresh token's answer has no token_type (and no username: extraTokenClaims is for access tokens).
    const app =
      answer.token_type === 'Bearer' ? apps.find((a) => a.clientId === answer.client_id) : undefined;
    const mailbox = String(ctx.query.mailbox ?? ctx.oidc.body?.user ?? '').toLowerCase();
    const allowed = app?.mailboxes.some((m) => m.toLowerCase() === mailbox) ?? false;
    ctx.body = allowed ? { ...answer, username: mailbox } : { active: false };
  };
}

function failed(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = (e as { statusCode?: number }).statusCode ?? 500;
  sendJson(res, status, { error: 'server_error', error_description: String(e) });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('OAuth server has no TCP address');
  return `http://127.0.0.1:${addr.port}`;
}

async function close(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
