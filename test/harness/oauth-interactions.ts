/**
 * The sign-in and consent pages of the harness's authorization server: where the person behind a
 * device code (RFC 8628 section 3.3) proves who they are and approves what the device asked for.
 *
 * oidc-provider leaves these pages to the deployment ("User flows" in its documentation) and ships
 * only development pages that accept any name with any password (`features.devInteractions`).
 * These check the mailbox's password, so a test knows who approved a code, and let the person
 * refuse. They use only the provider's public interaction API (`interactionDetails`,
 * `interactionFinished`, `Grant`), as a production deployment does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { escapeHtml, readForm, sendHtml } from './oauth-http.js';

/** Where the provider sends the person for a sign-in or a consent (its `interactions.url`). */
export const INTERACTION_PATH = '/interaction/';

/** What the provider asks the consent page to grant (oidc-provider's consent prompt details). */
interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/**
 * Serves `/interaction/<uid>` (the page), `/interaction/<uid>/login` and `/interaction/<uid>/consent`
 * (the forms' targets) for one provider.
 * @param passwords each person's mailbox address (lower case) and password.
 * @returns a request handler; it answers every request it is given.
 */
export function interactionHandler(
  provider: Provider,
  passwords: ReadonlyMap<string, string>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const [uid = '', action = ''] = path.slice(INTERACTION_PATH.length).split('/');
    // The interaction is found by its cookie; a uid in the path that is not that one is a stale tab.
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return sendHtml(res, 400, page('Sign-in', '<p>This sign-in has expired.</p>'));
    if (req.method === 'GET' && action === '') return showPrompt(res, details.uid, details.prompt.name);
    if (req.method === 'POST' && action === 'login') return login(provider, passwords, req, res, uid);
    if (req.method === 'POST' && action === 'consent') return consent(provider, req, res);
    sendHtml(res, 404, page('Not found', '<p>No such page.</p>'));
  };
}

function showPrompt(res: ServerResponse, uid: string, prompt: string): void {
  if (prompt === 'login') return sendHtml(res, 200, loginPage(uid));
  if (prompt === 'consent') return sendHtml(res, 200, consentPage(uid));
  sendHtml(res, 501, page('Sign-in', `<p>Prompt ${escapeHtml(prompt)} is not supported.</p>`));
}

async function login(
  provider: Provider,
  passwords: ReadonlyMap<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
): Promise<void> {
  const form = await readForm(req);
  const user = (form.get('login') ?? '').toLowerCase();
  if (!passwords.has(user) || passwords.get(user) !== form.get('password')) {
    return sendHtml(res, 401, loginPage(uid, 'Wrong user name or password.'));
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user } },
    { mergeWithLastSubmission: false },
  );
}

/** Grants what the client asked for, or refuses it (`decision=deny`: RFC 6749 `access_denied`). */
async function consent(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  if (form.get('decision') !== 'allow') {
    const refusal = { error: 'access_denied', error_description: 'the person refused the request' };
    return provider.interactionFinished(req, res, refusal, { mergeWithLastSubmission: false });
  }
  const { prompt, params, session, grantId } = await provider.interactionDetails(req, res);
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ??
    new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
  const asked = prompt.details as ConsentDetails;
  if (asked.missingOIDCScope) grant.addOIDCScope(asked.missingOIDCScope.join(' '));
  if (asked.missingOIDCClaims) grant.addOIDCClaims(asked.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(asked.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const result = { consent: { grantId: await grant.save() } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

function loginPage(uid: string, error?: string): string {
  const action = `${INTERACTION_PATH}${encodeURIComponent(uid)}/login`;
  return page(
    'Sign-in',
    `${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form id="login" method="post" action="${action}">
<input type="text" name="login" placeholder="Mailbox address"/>
<input type="password" name="password" placeholder="Password"/>
<button type="submit">Sign in</button>
</form>`,
  );
}

function consentPage(uid: string): string {
  const action = `${INTERACTION_PATH}${encodeURIComponent(uid)}/consent`;
  return page(
    'Authorize',
    `<form id="consent" method="post" action="${action}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html><head><title>${escapeHtml(title)}</title></head><body>\n<h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`;
}
