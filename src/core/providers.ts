/**
 * What mailshift knows of the two providers companies move to most: their IMAP servers and their
 * OAuth2 endpoints and scopes, each from the provider's own documentation.
 *
 * Microsoft 365: "Authenticate an IMAP, POP or SMTP connection using OAuth",
 * https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
 * and the device code flow, https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code
 * Google: https://developers.google.com/identity/protocols/oauth2/service-account and
 * https://developers.google.com/workspace/gmail/imap/xoauth2-protocol
 */
import type { Security } from './endpoint.js';
import type { OAuth2Flow } from './logins.js';

/** A provider's IMAP server. */
export interface ImapPreset {
  host: string;
  port: number;
  security: Security;
}

/** A provider's OAuth2 endpoints and the scopes each flow needs. */
export interface OAuth2Preset {
  imap: ImapPreset;
  /** The authorization server's metadata (RFC 8414 names), for a tenant where it matters. */
  endpoints(tenant: string): {
    issuer: string;
    token_endpoint: string;
    device_authorization_endpoint?: string;
  };
  /** Scopes per flow; a flow without an entry is not offered by the provider for IMAP. */
  scopes: Partial<Record<OAuth2Flow, string[]>>;
  /** The scope a token must carry to open a mailbox, per flow (checked when the answer lists scopes). */
  imapScope: Partial<Record<OAuth2Flow, string>>;
  /** Why a flow is not offered, and what to use instead. */
  unsupported?: Partial<Record<OAuth2Flow, string>>;
}

const MICROSOFT_IMAP_DELEGATED = 'https://outlook.office.com/IMAP.AccessAsUser.All';

/** The providers with presets. */
export const PROVIDER_PRESETS: Record<'microsoft365' | 'google', OAuth2Preset> = {
  microsoft365: {
    imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
    endpoints: (tenant) => ({
      issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
      token_endpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`,
      device_authorization_endpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/devicecode`,
    }),
    scopes: {
      // offline_access: "Refresh tokens are long-lived" and only issued with it.
      deviceCode: [MICROSOFT_IMAP_DELEGATED, 'offline_access'],
      // "You must use https://outlook.office365.com/.default in the scope property" (app-only).
      clientCredentials: ['https://outlook.office365.com/.default'],
    },
    imapScope: { deviceCode: MICROSOFT_IMAP_DELEGATED },
    unsupported: {
      serviceAccount:
        'Microsoft 365 has no service accounts: use flow: clientCredentials (app-only, IMAP.AccessAsApp)',
    },
  },
  google: {
    imap: { host: 'imap.gmail.com', port: 993, security: 'tls' },
    endpoints: () => ({
      issuer: 'https://accounts.google.com',
      token_endpoint: 'https://oauth2.googleapis.com/token',
    }),
    scopes: { serviceAccount: ['https://mail.google.com/'] },
    imapScope: { serviceAccount: 'https://mail.google.com/' },
    unsupported: {
      // https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes
      deviceCode:
        "Google's device flow does not allow the mail scope (https://mail.google.com/): use flow: serviceAccount with domain-wide delegation (Google Workspace), or an app password with passwordEnv",
      clientCredentials:
        'Google has no client credentials grant for Gmail: use flow: serviceAccount with domain-wide delegation',
    },
  },
};
