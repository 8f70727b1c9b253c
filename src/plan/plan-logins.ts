/**
 * Settles how each side of each account logs in: its own secret, an OAuth2 profile it names, or
 * else its server's default (`oauth2:` or `adminUser`). Turns the plan's OAuth2 profiles and admin
 * fields into the credentials layer's terms (core/logins.ts), so that nothing below reads YAML.
 */
import type { Side } from '../core/endpoint.js';
import { MailshiftError } from '../core/errors.js';
import type { AdminLogin, LoginSettings, OAuth2Profile, SecretSource, SideLogin } from '../core/logins.js';
import type { CredentialRef, OAuth2ProfileConfig, PlanFile, ServerConfig } from './schema.js';

const SIDES: Side[] = ['source', 'destination'];

function planError(path: string, message: string, hint: string): MailshiftError {
  return new MailshiftError(`plan file ${path}: ${message}`, { code: 'PLAN_INVALID', scope: 'run', hint });
}

function source(env: string | undefined, file: string | undefined): SecretSource | undefined {
  if (env !== undefined) return { env };
  if (file !== undefined) return { file };
  return undefined;
}

function profileOf(name: string, c: OAuth2ProfileConfig): OAuth2Profile {
  const clientSecret = source(c.clientSecretEnv, c.clientSecretFile);
  const serviceAccountKey = source(c.serviceAccountKeyEnv, c.serviceAccountKeyFile);
  return {
    name,
    provider: c.provider,
    flow: c.flow,
    ...(c.tenant !== undefined ? { tenant: c.tenant } : {}),
    ...(c.issuer !== undefined ? { issuer: c.issuer } : {}),
    ...(c.clientId !== undefined ? { clientId: c.clientId } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    ...(serviceAccountKey ? { serviceAccountKey } : {}),
    ...(c.scope !== undefined ? { scopes: c.scope.split(/\s+/).filter(Boolean) } : {}),
    ...(c.imapScope !== undefined ? { imapScope: c.imapScope } : {}),
  };
}

function adminOf(s: ServerConfig): AdminLogin | undefined {
  const password = source(s.adminPasswordEnv, s.adminPasswordFile);
  if (s.adminUser === undefined || !password) return undefined;
  return { user: s.adminUser, password, form: s.adminLogin, separator: s.adminSeparator };
}

/** The login settings of a plan, for the credentials layer. */
export function loginSettings(path: string, dir: string, file: PlanFile): LoginSettings {
  const profiles: Record<string, OAuth2Profile> = {};
  for (const [name, c] of Object.entries(file.oauth2 ?? {})) profiles[name] = profileOf(name, c);
  const admins: LoginSettings['admins'] = {};
  for (const side of SIDES) {
    const admin = adminOf(file[side]);
    if (admin) admins[side] = admin;
  }
  return { planPath: path, planDir: dir, profiles, admins };
}

function ownSecret(ref: CredentialRef): boolean {
  return [ref.passwordEnv, ref.passwordFile, ref.password, ref.tokenFile, ref.tokenCommand].some(
    (v) => v !== undefined,
  );
}

/**
 * How one side of one account logs in.
 * @param field where the account is in the plan, for messages ("accounts[2].source")
 * @throws MailshiftError PLAN_INVALID when the side has no way to log in or names an unknown profile
 */
export function sideLogin(
  path: string,
  file: PlanFile,
  side: Side,
  ref: CredentialRef,
  field: string,
): SideLogin {
  if (ownSecret(ref)) return { method: 'own' };
  const profile = ref.oauth2 ?? file[side].oauth2;
  if (profile !== undefined) {
    if (!file.oauth2?.[profile]) {
      const known = Object.keys(file.oauth2 ?? {});
      throw planError(
        path,
        `${ref.oauth2 !== undefined ? `${field}.oauth2` : `${side}.oauth2`} names OAuth2 profile "${profile}", which is not under oauth2:`,
        known.length
          ? `profiles in this plan: ${known.join(', ')}`
          : 'add it under oauth2: at the top of the plan',
      );
    }
    return { method: 'oauth2', profile };
  }
  if (file[side].adminUser !== undefined) return { method: 'admin' };
  throw planError(
    path,
    `${field} (${ref.user}) has no way to log in`,
    `give it passwordEnv, passwordFile or oauth2, or give the ${side} server an oauth2 profile or adminUser`,
  );
}
