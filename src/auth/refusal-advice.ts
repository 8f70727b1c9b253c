/**
 * What a refused IMAP login means for each way of logging in, and what to do about it. The IMAP
 * server only says "no"; which fix applies depends on where the secret came from: a person's
 * sign-in (sign in again), an app registration (give it the mailbox: Exchange's
 * Add-MailboxPermission), a service account (domain-wide delegation), an admin (rights on the
 * mailbox, or its password).
 */
import type { RefusalAdvice, Side } from '../core/endpoint.js';
import type { AdminLogin, OAuth2Profile } from '../core/logins.js';

/** The command a person runs to sign an account in again. */
export function signInCommand(planPath: string, account: string, side: Side): string {
  return `mailshift login ${planPath} --account ${account} --side ${side}`;
}

/** Advice for a refused OAuth2 token, once a fresh one was refused too. */
export function oauthAdvice(profile: OAuth2Profile, user: string, command: string): RefusalAdvice {
  const ref = `oauth2.${profile.name}`;
  switch (profile.flow) {
    case 'deviceCode':
      return {
        code: 'AUTH_OAUTH_REFUSED',
        what: `a fresh access token of ${user} (signed in through ${ref}) was refused`,
        hint: `sign in again as ${user} (a sign-in as another person opens that person's mailbox only): ${command}; check that ${ref} asks for the IMAP scope`,
      };
    case 'clientCredentials':
      return {
        code: 'AUTH_APP_NO_ACCESS',
        what: `the application of ${ref} got a token but may not open mailbox ${user}`,
        hint:
          profile.provider === 'microsoft365'
            ? `give the app this mailbox in Exchange Online PowerShell: Add-MailboxPermission -Identity "${user}" -User <service principal ID> -AccessRights FullAccess (and check IMAP.AccessAsApp has admin consent)`
            : `give the application access to mailbox ${user} at the provider, and the IMAP scope`,
      };
    case 'serviceAccount':
      return {
        code: 'AUTH_SERVICE_ACCOUNT',
        what: `the service account of ${ref} got a token for ${user} but the server refused it`,
        hint: `check that domain-wide delegation grants its client ID the scope ${(profile.scopes ?? ['https://mail.google.com/']).join(' ')} and that IMAP is on for ${user} (Admin console, Apps, Google Workspace, Gmail, End User Access)`,
      };
  }
}

/** Advice for a refused admin login on behalf of `user`. */
export function adminAdvice(admin: AdminLogin, user: string, side: Side): RefusalAdvice {
  const how =
    admin.form === 'authzid' ? 'as authorization identity' : `as "${user}${admin.separator}${admin.user}"`;
  return {
    code: 'AUTH_ADMIN_RIGHTS',
    what: `admin ${admin.user} could not act as ${user} (${how}): it has no rights on this mailbox, or its password is wrong`,
    hint: `give ${admin.user} rights on ${user} (Dovecot: a master user allowed this mailbox; Cyrus: admins), or check adminPassword${'env' in admin.password ? 'Env' : 'File'} of the ${side} server; ${admin.form === 'authzid' ? 'a server whose master users use a separator needs adminLogin: separator' : 'a server without master-user separators needs adminLogin: authzid'}`,
  };
}
