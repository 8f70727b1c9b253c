/**
 * A Google service account with domain-wide delegation: its JSON key (Google Cloud console, IAM &
 * Admin, Service accounts, Keys) and the assertion it signs for each mailbox, as Google documents
 * at https://developers.google.com/identity/protocols/oauth2/service-account ("Preparing to make
 * an authorized API call"): RS256, `iss` the service account's address, `scope`, `aud` the token
 * endpoint, `iat`, `exp` at most one hour later, `sub` the user to act as (RFC 7523 section 3).
 */
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import * as z from 'zod';
import { MailshiftError } from '../core/errors.js';

/** Google's token endpoint, the default `token_uri` and audience. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** Longest assertion Google accepts: `exp` at most one hour after `iat`. */
const ASSERTION_LIFETIME_S = 3600;

const KeyFile = z.object({
  client_email: z.string().min(3),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
  client_id: z.string().optional(),
  token_uri: z.url().optional(),
});

/** A service account ready to sign. */
export interface ServiceAccount {
  email: string;
  clientId?: string;
  tokenUri: string;
  keyId?: string;
  key: CryptoKey;
}

/**
 * Reads a service account's JSON key.
 * @param where where the key came from, for messages (never its content)
 * @throws MailshiftError PLAN_SECRET when it is not a usable key
 */
export async function loadServiceAccount(json: string, where: string): Promise<ServiceAccount> {
  const bad = (why: string, cause?: unknown) =>
    new MailshiftError(`service account key ${where} ${why}`, {
      code: 'PLAN_SECRET',
      scope: 'account',
      hint: 'download the JSON key of the service account again (Google Cloud console, IAM & Admin, Service accounts, Keys)',
      cause,
    });
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    // The parser's message may quote the file: it holds a private key, so it is not repeated.
    throw bad('is not valid JSON');
  }
  const parsed = KeyFile.safeParse(data);
  if (!parsed.success) throw bad('lacks client_email or private_key');
  const k = parsed.data;
  let key: CryptoKey;
  try {
    key = await importPKCS8(k.private_key, 'RS256');
  } catch {
    throw bad('holds a private_key that is not an RSA key in PKCS#8 PEM');
  }
  return {
    email: k.client_email,
    ...(k.client_id !== undefined ? { clientId: k.client_id } : {}),
    tokenUri: k.token_uri ?? GOOGLE_TOKEN_URI,
    ...(k.private_key_id !== undefined ? { keyId: k.private_key_id } : {}),
    key,
  };
}

/** Signs the assertion that asks for a token acting as `user`, with `scopes`. */
export function signAssertion(
  sa: ServiceAccount,
  user: string,
  scopes: string[],
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(sa.keyId ? { kid: sa.keyId } : {}) })
    .setIssuer(sa.email)
    .setSubject(user)
    .setAudience(sa.tokenUri)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_S)
    .sign(sa.key);
}
