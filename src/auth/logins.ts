/**
 * The credentials of a run: gives each endpoint its secret (`Endpoint.secret`) from the way the
 * plan says it logs in (core/logins.ts), and keeps OAuth2 access tokens fresh in memory.
 *
 * - One access token per mailbox (device code, service account) or per application (client
 *   credentials: one app-only token opens every mailbox it was given), shared by all connections.
 * - Renewed ahead of expiry (token-cache.ts), and at once when a server refused it; one request
 *   at a time per token, however many connections ask.
 * - A device-code sign-in's refresh token comes from the token file and goes back to it when the
 *   server rotates it; a refresh that is refused is tried once more with the file's token when
 *   someone signed in again meanwhile (`mailshift login` during a run).
 * Every token obtained is logged (method, mailbox, why, lifetime), never its value.
 */
import { join, relative } from 'node:path';
import type { Configuration } from 'openid-client';
import type { Secret, Side } from '../core/endpoint.js';
import { MailshiftError } from '../core/errors.js';
import type { AdminLogin, LoginSettings, OAuth2Profile, SideLogin } from '../core/logins.js';
import { PROVIDER_PRESETS } from '../core/providers.js';
import type { Logger } from '../shared/logger.js';
import type { DeviceAuthorization, TokenAnswer } from './oauth2-client.js';
import type { GrantContext } from './oauth2-errors.js';
import { adminAdvice, oauthAdvice, signInCommand } from './refusal-advice.js';
import { describeSource, readPassword, readSecret } from './secret-source.js';
import type { ServiceAccount } from './service-account.js';
import { needsRefresh, type CachedToken } from './token-cache.js';
import { tokenKey, TokenStore } from './token-store.js';

/**
 * The OAuth2 client and JWT signing (openid-client, jose), loaded when a plan first needs a token:
 * a plan of passwords starts without them (about 10 ms of every command).
 */
let oauthCode: Promise<OAuthCode> | undefined;
type OAuthCode = typeof import('./oauth2-client.js') &
  typeof import('./oauth2-errors.js') &
  typeof import('./service-account.js');

function oauth(): Promise<OAuthCode> {
  oauthCode ??= Promise.all([
    import('./oauth2-client.js'),
    import('./oauth2-errors.js'),
    import('./service-account.js'),
  ]).then(([client, errors, keys]) => ({ ...client, ...errors, ...keys }));
  return oauthCode;
}

/** What a credentials provider needs. */
export interface LoginsOptions {
  settings: LoginSettings;
  /** The token file: `tokens.json` in the plan's state directory. */
  tokenFile: string;
  logger: Logger;
  /** The clock (tests). */
  now?: () => number;
}

/** One side of one account, as the provider serves it. */
export interface AccountSide {
  side: Side;
  /** The account's id (its source user), for the `mailshift login` command in messages. */
  account: string;
  /** The user that logs in on this side. */
  user: string;
  login: SideLogin;
}

/** Why a token is being obtained, for the log. */
type Reason = 'first use' | 'expiring' | 'refused by the server' | 'sign-in';

/** What the login command shows a person while it waits. */
export interface SignInPrompt {
  user: string;
  side: Side;
  profile: string;
  verificationUri: string;
  /** The address with the code in it, when the provider gives one (Microsoft does not). */
  verificationUriComplete?: string;
  userCode: string;
  expiresIn: number;
  /** The provider's own instruction text, when it gives one (Microsoft does). */
  message?: string;
}

/** The outcome of a sign-in, without any token. */
export interface SignInResult {
  scope?: string;
  expiresIn?: number;
}

/** Hands out secrets and keeps OAuth2 tokens fresh; one per command. */
export class Logins {
  readonly store: TokenStore;
  private readonly settings: LoginSettings;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  private readonly configs = new Map<string, Promise<Configuration>>();
  private readonly accounts = new Map<string, Promise<ServiceAccount>>();

  constructor(opts: LoginsOptions) {
    this.settings = opts.settings;
    this.store = new TokenStore(opts.tokenFile);
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
  }

  /**
   * The `Endpoint.secret` of one side of one account.
   * @param own reads the account's own secret (plan/credentials.ts), for `method: 'own'`
   */
  secretFor(a: AccountSide, own: () => Promise<Secret>): (refused?: Secret) => Promise<Secret> {
    switch (a.login.method) {
      case 'own':
        return own;
      case 'admin': {
        const admin = this.admin(a.side);
        return async () => ({
          kind: 'admin',
          admin: admin.user,
          value: readPassword(
            admin.password,
            this.settings.planDir,
            `password of admin ${admin.user}`,
            `${a.side}.adminPassword*`,
          ),
          form: admin.form,
          separator: admin.separator,
          refusal: adminAdvice(admin, a.user, a.side),
        });
      }
      case 'oauth2': {
        const profile = this.profile(a.login.profile);
        const advice = oauthAdvice(profile, a.user, this.command(a));
        return async (refused) => {
          const t = await this.accessToken(profile, a, refused?.kind === 'token' ? refused.value : undefined);
          return { kind: 'token', value: t.accessToken, refusal: advice };
        };
      }
    }
  }

  /**
   * Signs one account in by the device flow (RFC 8628): shows the code through `prompt`, waits for
   * the person, checks the grant and stores the refresh token.
   * @throws MailshiftError AUTH_OAUTH_DECLINED, AUTH_OAUTH_EXPIRED, AUTH_OAUTH_SCOPE,
   *   AUTH_OAUTH_NO_REFRESH, or the signal's reason
   */
  async signIn(
    a: AccountSide,
    prompt: (p: SignInPrompt) => void,
    signal?: AbortSignal,
  ): Promise<SignInResult> {
    if (a.login.method !== 'oauth2') throw new Error(`${a.user} does not sign in with OAuth2`);
    const profile = this.profile(a.login.profile);
    const c = this.context(profile, a, 'device authorization');
    const config = await this.configuration(profile);
    const { startDeviceAuthorization, pollDevice } = await oauth();
    const auth: DeviceAuthorization = await startDeviceAuthorization(config, scopesOf(profile), c);
    prompt({
      user: a.user,
      side: a.side,
      profile: profile.name,
      verificationUri: auth.verification_uri,
      ...(auth.verification_uri_complete ? { verificationUriComplete: auth.verification_uri_complete } : {}),
      userCode: auth.user_code,
      expiresIn: auth.expires_in,
      ...(typeof auth.message === 'string' ? { message: auth.message } : {}),
    });
    const got = await pollDevice(config, auth, { ...c, grant: 'device code' }, signal);
    this.checkScope(profile, a, got);
    if (!got.refreshToken) {
      throw new MailshiftError(`the provider gave no refresh token for ${a.user} (oauth2.${profile.name})`, {
        code: 'AUTH_OAUTH_NO_REFRESH',
        scope: 'account',
        hint: `add offline_access to oauth2.${profile.name}.scope (Microsoft 365 and most providers issue refresh tokens only with it), then sign in again`,
      });
    }
    const at = this.now();
    this.store.update(tokenKey(profile.name, a.user), {
      method: 'deviceCode',
      refreshToken: got.refreshToken,
      signedInAt: new Date(at).toISOString(),
      ...this.record(got, at),
    });
    this.keep(tokenKey(profile.name, a.user), got, at, profile, a, 'sign-in');
    return {
      ...(got.scope ? { scope: got.scope } : {}),
      ...(got.expiresIn ? { expiresIn: got.expiresIn } : {}),
    };
  }

  /** The profile named by an account's login (for the login command and status). */
  profile(name: string): OAuth2Profile {
    const p = this.settings.profiles[name];
    if (!p) throw new Error(`unknown OAuth2 profile ${name}`);
    return p;
  }

  /** The admin of a side. */
  admin(side: Side): AdminLogin {
    const admin = this.settings.admins[side];
    if (!admin) throw new Error(`the ${side} server has no admin login`);
    return admin;
  }

  /** The key under which a side's token is cached and recorded. */
  keyOf(profile: OAuth2Profile, user: string): string {
    return profile.flow === 'clientCredentials' ? tokenKey(profile.name) : tokenKey(profile.name, user);
  }

  /** The command that signs this account side in again. */
  command(a: Pick<AccountSide, 'account' | 'side'>): string {
    // Relative to where the person is, unless the plan lies outside it.
    const rel = relative(process.cwd(), this.settings.planPath);
    const path = rel && !rel.startsWith('..') ? rel : this.settings.planPath;
    return signInCommand(path.includes(' ') ? JSON.stringify(path) : path, a.account, a.side);
  }

  private async accessToken(
    profile: OAuth2Profile,
    a: AccountSide,
    refused: string | undefined,
  ): Promise<CachedToken> {
    const key = this.keyOf(profile, a.user);
    const cached = this.tokens.get(key);
    let reason: Reason | undefined;
    if (!cached) reason = 'first use';
    else if (refused !== undefined && cached.accessToken === refused) reason = 'refused by the server';
    else if (needsRefresh(cached, this.now())) reason = 'expiring';
    if (!reason && cached) return cached;
    // One request per token: connections asking at once share it.
    let flight = this.pending.get(key);
    if (!flight) {
      flight = this.obtain(profile, a, key, reason ?? 'first use').finally(() => this.pending.delete(key));
      this.pending.set(key, flight);
    }
    return flight;
  }

  private async obtain(
    profile: OAuth2Profile,
    a: AccountSide,
    key: string,
    reason: Reason,
  ): Promise<CachedToken> {
    const at = this.now();
    let got: TokenAnswer;
    switch (profile.flow) {
      case 'deviceCode':
        got = await this.refreshSignIn(profile, a, key);
        break;
      case 'clientCredentials': {
        const { clientCredentials } = await oauth();
        got = await clientCredentials(
          await this.configuration(profile),
          scopesOf(profile),
          this.context(profile, undefined, 'client credentials'),
        );
        break;
      }
      case 'serviceAccount': {
        const sa = await this.serviceAccount(profile);
        const { signAssertion, assertionConfiguration, jwtBearer } = await oauth();
        const assertion = await signAssertion(sa, a.user, scopesOf(profile), at);
        const config = assertionConfiguration(profile, sa.tokenUri, sa.clientId ?? sa.email);
        got = await jwtBearer(config, assertion, this.context(profile, a, 'JWT assertion'));
        break;
      }
    }
    this.checkScope(profile, a, got);
    if (profile.flow !== 'deviceCode') this.note(key, { method: profile.flow, ...this.record(got, at) });
    return this.keep(key, got, at, profile, a, reason);
  }

  /** A refresh of a stored sign-in, again with the file's token if someone signed in meanwhile. */
  private async refreshSignIn(profile: OAuth2Profile, a: AccountSide, key: string): Promise<TokenAnswer> {
    const c = this.context(profile, a, 'refresh');
    const config = await this.configuration(profile);
    const scopes = profile.provider === 'microsoft365' ? scopesOf(profile) : undefined;
    const used = this.refreshTokens.get(key) ?? this.stored(key, a, profile);
    const { refresh, oauthErrorCode } = await oauth();
    let got: TokenAnswer;
    try {
      got = await refresh(config, used, scopes, c);
    } catch (err) {
      const again =
        oauthErrorCode((err as Error).cause) === 'invalid_grant'
          ? this.store.get(key)?.refreshToken
          : undefined;
      if (again === undefined || again === used) throw err;
      got = await refresh(config, again, scopes, c);
    }
    const at = this.now();
    if (got.refreshToken) this.refreshTokens.set(key, got.refreshToken);
    this.store.update(key, {
      method: 'deviceCode',
      ...(got.refreshToken ? { refreshToken: got.refreshToken } : {}),
      ...this.record(got, at),
    });
    return got;
  }

  private readonly refreshTokens = new Map<string, string>();

  private stored(key: string, a: AccountSide, profile: OAuth2Profile): string {
    const rt = this.store.get(key)?.refreshToken;
    if (rt) return rt;
    throw new MailshiftError(
      `${a.user} has not signed in for oauth2.${profile.name} (no stored sign-in in ${this.store.path})`,
      {
        code: 'AUTH_OAUTH_SIGNIN',
        scope: 'account',
        hint: `sign in once: ${this.command(a)}`,
      },
    );
  }

  private keep(
    key: string,
    got: TokenAnswer,
    at: number,
    profile: OAuth2Profile,
    a: AccountSide,
    reason: Reason,
  ): CachedToken {
    const t: CachedToken = {
      accessToken: got.accessToken,
      obtainedAt: at,
      ...(got.expiresIn !== undefined ? { expiresAt: at + got.expiresIn * 1000 } : {}),
      ...(got.scope !== undefined ? { scope: got.scope } : {}),
    };
    this.tokens.set(key, t);
    if (got.refreshToken) this.refreshTokens.set(key, got.refreshToken);
    this.logger.info(
      {
        side: a.side,
        user: a.user,
        oauth2: profile.name,
        flow: profile.flow,
        reason,
        expiresInS: got.expiresIn,
        ...(profile.flow === 'clientCredentials'
          ? { shared: 'app-only token for every mailbox of this profile' }
          : {}),
      },
      reason === 'first use' || reason === 'sign-in'
        ? 'oauth2 access token obtained'
        : 'oauth2 access token refreshed',
    );
    return t;
  }

  private record(got: TokenAnswer, at: number) {
    return {
      obtainedAt: new Date(at).toISOString(),
      ...(got.expiresIn !== undefined
        ? { accessExpiresAt: new Date(at + got.expiresIn * 1000).toISOString() }
        : {}),
      ...(got.scope !== undefined ? { scope: got.scope } : {}),
    };
  }

  /** Records a token's life for `login --status`; a state directory that cannot take it is no reason to stop. */
  private note(key: string, entry: Parameters<TokenStore['update']>[1]): void {
    try {
      this.store.update(key, entry);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'token record not written');
    }
  }

  /**
   * A token whose answer lists its scopes without the IMAP one cannot open a mailbox: say so now,
   * rather than let the IMAP server refuse it with no reason.
   */
  private checkScope(profile: OAuth2Profile, a: AccountSide, got: TokenAnswer): void {
    const needed = imapScopeOf(profile);
    if (needed === undefined || got.scope === undefined) return;
    const granted = got.scope.split(/\s+/).filter(Boolean);
    const short = needed.split('/').pop()?.toLowerCase();
    const ok = granted.some((s) => s.toLowerCase() === needed.toLowerCase() || s.toLowerCase() === short);
    if (ok) return;
    const fix =
      profile.flow === 'clientCredentials'
        ? profile.provider === 'microsoft365'
          ? 'give the app registration the application permission IMAP.AccessAsApp (Office 365 Exchange Online) and grant admin consent'
          : `give the application the scope ${needed} at the provider, and check oauth2.${profile.name}.scope`
        : profile.flow === 'serviceAccount'
          ? `add ${needed} to the service account's domain-wide delegation, and check oauth2.${profile.name}.scope`
          : `add ${needed} to oauth2.${profile.name}.scope and the app registration's permissions, then sign in again: ${this.command(a)}`;
    throw new MailshiftError(
      `the token for ${a.user} (oauth2.${profile.name}) was granted "${got.scope}" without the IMAP scope ${needed}: it cannot open a mailbox`,
      { code: 'AUTH_OAUTH_SCOPE', scope: 'account', hint: fix },
    );
  }

  private context(
    profile: OAuth2Profile,
    a: AccountSide | undefined,
    grant: GrantContext['grant'],
  ): GrantContext {
    return {
      profile,
      grant,
      ...(a ? { user: a.user, signInCommand: this.command(a) } : {}),
    };
  }

  private configuration(profile: OAuth2Profile): Promise<Configuration> {
    let config = this.configs.get(profile.name);
    if (!config) {
      config = (async () => {
        const secret = profile.clientSecret
          ? readSecret(
              profile.clientSecret,
              this.settings.planDir,
              `client secret of oauth2.${profile.name}`,
              `oauth2.${profile.name}.clientSecret*`,
            )
          : undefined;
        return (await oauth()).configure(profile, {
          clientId: profile.clientId ?? '',
          ...(secret !== undefined ? { clientSecret: secret } : {}),
        });
      })();
      // A failure (secret not set, issuer unreachable) is not kept: the next connection tries again.
      config.catch(() => this.configs.delete(profile.name));
      this.configs.set(profile.name, config);
    }
    return config;
  }

  private serviceAccount(profile: OAuth2Profile): Promise<ServiceAccount> {
    let sa = this.accounts.get(profile.name);
    if (!sa) {
      const source = profile.serviceAccountKey;
      if (!source) throw new Error(`oauth2.${profile.name} has no service account key`);
      const where = describeSource(source, this.settings.planDir);
      const key = readSecret(
        source,
        this.settings.planDir,
        `service account key of oauth2.${profile.name}`,
        `oauth2.${profile.name}.serviceAccountKey*`,
      );
      sa = oauth().then((m) => m.loadServiceAccount(key, where));
      sa.catch(() => this.accounts.delete(profile.name));
      this.accounts.set(profile.name, sa);
    }
    return sa;
  }
}

/** The scopes a profile asks for: its own, else its provider's for the flow. */
export function scopesOf(profile: OAuth2Profile): string[] {
  if (profile.scopes) return profile.scopes;
  if (profile.provider === 'generic') return [];
  return PROVIDER_PRESETS[profile.provider].scopes[profile.flow] ?? [];
}

/** The scope a token needs to open a mailbox: the profile's, else its provider's for the flow. */
export function imapScopeOf(profile: OAuth2Profile): string | undefined {
  if (profile.imapScope) return profile.imapScope;
  if (profile.provider === 'generic') return undefined;
  return PROVIDER_PRESETS[profile.provider].imapScope[profile.flow];
}

/** The token file's name in a state directory. */
export const TOKEN_FILE = 'tokens.json';

/** The credentials of one command over a plan whose state directory is `stateDir`. */
export function openLogins(settings: LoginSettings, stateDir: string, logger: Logger): Logins {
  return new Logins({ settings, tokenFile: join(stateDir, TOKEN_FILE), logger });
}
