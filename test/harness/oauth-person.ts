/**
 * A test playing the person who approves a device code (RFC 8628 section 3.3): like a browser, it
 * opens the verification page, types the user code, confirms the device, signs in with the
 * mailbox's password and allows (or denies) the request, following redirects and keeping cookies.
 * It sees only what a browser sees, the provider's HTML, and submits its forms as they are.
 */

/** What the person does. */
export interface Approval {
  /** `verification_uri` from the device authorization response. */
  verificationUri: string;
  /** `user_code` from the same response, as the device displays it. */
  userCode: string;
  /** The mailbox the person signs in as, and its password. */
  user: string;
  password: string;
  /** Allow (default) or refuse on the consent page. */
  decision?: 'allow' | 'deny';
}

/** A form of a page: where it posts and its hidden fields. */
interface Form {
  id: string;
  action: string;
  hidden: Record<string, string>;
}

interface Page {
  url: string;
  status: number;
  html: string;
}

/** Forms the person knows how to fill: the provider's device pages, then the sign-in pages. */
const KNOWN_FORMS = ['op.deviceInputForm', 'op.deviceConfirmForm', 'login', 'consent'];

/** More pages than the flow has (input, confirm, sign-in, consent, result): a loop, not a flow. */
const MAX_PAGES = 10;

/**
 * Approves (or refuses) a device code as its person would.
 * @throws Error naming the page when the flow stops somewhere unexpected, the sign-in is refused,
 *   or an approval does not end on the provider's success page.
 */
export async function approveDeviceCode(approval: Approval): Promise<void> {
  const browser = new Browser();
  let page = await browser.open(approval.verificationUri);
  // The page after the consent is the outcome, whatever form it shows (a refusal shows the code input again).
  let decided = false;
  for (let seen = 0; seen < MAX_PAGES; seen++) {
    const form = findForm(page.html);
    if (decided || form === undefined) return checkOutcome(page, approval);
    const fields = { ...form.hidden };
    if (form.id === 'op.deviceInputForm') fields.user_code = approval.userCode;
    if (form.id === 'login') {
      if (page.status === 401) throw new Error(`sign-in refused for ${approval.user}: ${text(page.html)}`);
      Object.assign(fields, { login: approval.user, password: approval.password });
    }
    if (form.id === 'consent') {
      fields.decision = approval.decision ?? 'allow';
      decided = true;
    }
    page = await browser.submit(new URL(form.action, page.url).href, fields);
  }
  throw new Error(`device approval did not finish within ${MAX_PAGES} pages, last at ${page.url}`);
}

/** After the consent, the provider shows a page without a form: success, or what went wrong. */
function checkOutcome(page: Page, approval: Approval): void {
  const succeeded = page.status === 200 && /Sign-in Success/.test(page.html);
  if ((approval.decision ?? 'allow') === 'allow' && !succeeded) {
    throw new Error(
      `device approval for ${approval.user} ended at ${page.url} (${page.status}): ${text(page.html)}`,
    );
  }
  if (approval.decision === 'deny' && succeeded) throw new Error('the refusal ended on the success page');
}

function findForm(html: string): Form | undefined {
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = attributes(match[1] ?? '');
    if (!attrs.id || !KNOWN_FORMS.includes(attrs.id)) continue;
    const hidden: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/g)) {
      const a = attributes(input[1] ?? '');
      if (a.type === 'hidden' && a.name) hidden[a.name] = a.value ?? '';
    }
    return { id: attrs.id, action: attrs.action ?? '', hidden };
  }
  return undefined;
}

function attributes(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of source.matchAll(/([\w-]+)="([^"]*)"/g)) out[m[1] ?? ''] = decodeEntities(m[2] ?? '');
  return out;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A page's visible text, short, for error messages. */
function text(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** What a browser does for these pages: cookies by path (RFC 6265 section 5.1.4) and redirects. */
class Browser {
  private readonly jar = new Map<string, { name: string; value: string; path: string }>();

  open(url: string): Promise<Page> {
    return this.go(url, undefined);
  }

  submit(url: string, fields: Record<string, string>): Promise<Page> {
    return this.go(url, new URLSearchParams(fields));
  }

  private async go(url: string, form: URLSearchParams | undefined): Promise<Page> {
    for (let hop = 0; hop < MAX_PAGES; hop++) {
      const headers: Record<string, string> = { cookie: this.cookieHeader(url) };
      if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(url, {
        method: form ? 'POST' : 'GET',
        headers,
        body: form,
        redirect: 'manual',
      });
      this.store(res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        url = new URL(location, url).href;
        form = undefined;
        continue;
      }
      return { url, status: res.status, html: await res.text() };
    }
    throw new Error(`more than ${MAX_PAGES} redirects from ${url}`);
  }

  private cookieHeader(url: string): string {
    const path = new URL(url).pathname;
    return [...this.jar.values()]
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = (key: string) =>
        attrs.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attr('path') ?? '/';
      const expires = attr('expires');
      const gone = value === '' || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (gone) this.jar.delete(`${name};${path}`);
      else this.jar.set(`${name};${path}`, { name, value, path });
    }
  }
}
