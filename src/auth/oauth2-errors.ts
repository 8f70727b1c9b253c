/**
 * Turns what an OAuth2 token endpoint answers (RFC 6749 section 5.2 error codes, RFC 8628 section
 * 3.5 for the device flow, and the providers' own words) into errors that name the account, the
 * profile and what to fix. An endpoint that cannot be reached is a `connection` failure, which
 * the engine retries like a lost IMAP connection; everything else stops that account alone.
 */
import { ResponseBodyError } from 'openid-client';
import { MailshiftError, StoreError } from '../core/errors.js';
import type { OAuth2Profile } from '../core/logins.js';

/** What was being done when the endpoint answered, and for whom. */
export interface GrantContext {
  profile: OAuth2Profile;
  /** The mailbox the token is for (absent for an app-only token shared by every mailbox). */
  user?: string;
  grant:
    'device authorization' | 'device code' | 'refresh' | 'client credentials' | 'JWT assertion' | 'discovery';
  /** The command that signs this account in again (device flow). */
  signInCommand?: string;
}

/** The OAuth2 error code of a token endpoint's answer, when it gave one. */
export function oauthErrorCode(err: unknown): string | undefined {
  return err instanceof ResponseBodyError ? err.error : undefined;
}

function whose(c: GrantContext): string {
  return `${c.user ? `${c.user} ` : ''}(oauth2.${c.profile.name})`;
}

function secretField(p: OAuth2Profile): string {
  return `oauth2.${p.name}.${p.clientSecret && 'env' in p.clientSecret ? 'clientSecretEnv' : 'clientSecretFile'}`;
}

function authError(code: string, message: string, hint: string, cause: unknown): MailshiftError {
  return new MailshiftError(message, { code, scope: 'account', hint, cause });
}

/** True for the answers that mean "the person said no" (Microsoft words it its own way). */
export function isRefusal(code: string | undefined): boolean {
  return code === 'access_denied' || code === 'authorization_declined';
}

/**
 * The error for a failed grant.
 * @returns a StoreError `connection` when the endpoint could not be reached or failed (5xx), else
 *   a MailshiftError AUTH_* of account scope with the fix
 */
export function grantError(err: unknown, c: GrantContext): MailshiftError {
  if (err instanceof MailshiftError) return err;
  const p = c.profile;
  if (!(err instanceof ResponseBodyError)) {
    const status = (err as { status?: number }).status;
    const why = `${(err as Error)?.message ?? String(err)}${causeText(err)}`;
    if (status === undefined || status >= 500) {
      return new StoreError(
        `the OAuth2 server of oauth2.${p.name} cannot be reached for ${c.grant} of ${whose(c)}: ${why}`,
        {
          kind: 'connection',
          code: 'CONN_OAUTH',
          hint: `check oauth2.${p.name} in the plan (issuer, tenant) and that its server is reachable from here; run again`,
          cause: err,
        },
      );
    }
    return authError(
      'AUTH_OAUTH_FAILED',
      `${c.grant} for ${whose(c)} failed: ${why}`,
      `check oauth2.${p.name} in the plan`,
      err,
    );
  }
  const said = `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  if (err.status >= 500) {
    return new StoreError(`the OAuth2 server of oauth2.${p.name} failed (${err.status} ${said})`, {
      kind: 'connection',
      code: 'CONN_OAUTH',
      hint: 'the provider has trouble: run again later',
      cause: err,
    });
  }
  switch (err.error) {
    case 'invalid_client':
      return authError(
        'AUTH_OAUTH_CLIENT',
        `the OAuth2 server refused the application of oauth2.${p.name} (${said})`,
        p.clientSecret
          ? `the client secret in ${secretField(p)} is wrong or expired: create a new one (Entra admin center: App registrations, Certificates & secrets) and put it there; check clientId`
          : `check oauth2.${p.name}.clientId; for Microsoft 365 set "Allow public client flows" to Yes in the app registration (Authentication), or give the client secret with clientSecretEnv`,
        err,
      );
    case 'invalid_grant':
      if (c.grant === 'refresh') {
        return authError(
          'AUTH_OAUTH_SIGNIN',
          `the stored sign-in of ${whose(c)} was refused: it was revoked, expired, or its password changed (${said})`,
          `sign in again: ${c.signInCommand ?? 'mailshift login <plan>'}`,
          err,
        );
      }
      if (c.grant === 'JWT assertion') {
        return authError(
          'AUTH_SERVICE_ACCOUNT',
          `the service account key of oauth2.${p.name} was refused for ${c.user ?? 'this mailbox'} (${said})`,
          /email|user/i.test(err.error_description ?? '')
            ? `check that ${c.user ?? 'the mailbox'} is a user of the Google Workspace domain`
            : `check the key file of oauth2.${p.name} (a deleted or replaced key is refused): create a new JSON key for the service account`,
          err,
        );
      }
      return authError(
        'AUTH_OAUTH_FAILED',
        `${c.grant} for ${whose(c)} was refused (${said})`,
        `check oauth2.${p.name}`,
        err,
      );
    case 'unauthorized_client':
      return authError(
        'AUTH_OAUTH_DELEGATION',
        `the application of oauth2.${p.name} may not get tokens this way for ${whose(c)} (${said})`,
        c.grant === 'JWT assertion'
          ? `authorize its client ID for the scopes ${(p.scopes ?? []).join(' ') || 'of the plan'} in the Google Admin console: Security, Access and data control, API controls, Manage Domain Wide Delegation`
          : `allow the ${c.grant} grant for this application at the provider`,
        err,
      );
    case 'invalid_scope':
      return authError(
        'AUTH_OAUTH_SCOPE',
        `the OAuth2 server refused the scopes of oauth2.${p.name} for ${whose(c)} (${said})`,
        `check oauth2.${p.name}.scope, and that the application was given those permissions (with admin consent)`,
        err,
      );
    case 'access_denied':
    case 'authorization_declined':
      return authError(
        'AUTH_OAUTH_DECLINED',
        `the sign-in for ${whose(c)} was refused on the provider's page (${said})`,
        `run ${c.signInCommand ?? 'mailshift login <plan>'} again and accept the request as ${c.user ?? 'the mailbox owner'}`,
        err,
      );
    case 'expired_token':
      return authError(
        'AUTH_OAUTH_EXPIRED',
        `the sign-in code for ${whose(c)} expired before anyone entered it (${said})`,
        `run ${c.signInCommand ?? 'mailshift login <plan>'} again and enter the code within its time`,
        err,
      );
    default:
      return authError(
        'AUTH_OAUTH_FAILED',
        `${c.grant} for ${whose(c)} failed (${err.status} ${said})`,
        `check oauth2.${p.name} in the plan`,
        err,
      );
  }
}

function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (!cause) return '';
  return ` (${cause.code ?? cause.message ?? ''})`;
}
