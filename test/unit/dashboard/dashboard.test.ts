/**
 * The dashboard without a browser, over a state directory written by the real stores and events
 * reporter: its numbers are the status rows (the same as `mailshift status --json`), the bars and
 * the rate follow the run's events, failures carry the server's words, what the date window left
 * out is counted with its reason; the server sends a new snapshot over server-sent events when the
 * copy moves, answers only to its own address (or with its token), forbids loading anything from
 * elsewhere, and only reads.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { accountStatusRows } from '../../../src/report/status-report.js';
import { EventTail } from '../../../src/dashboard/event-tail.js';
import { LiveModel } from '../../../src/dashboard/live-model.js';
import { buildSnapshot } from '../../../src/dashboard/snapshot.js';
import { startDashboard, type Dashboard } from '../../../src/dashboard/server.js';
import { ACCOUNTS, fillState, START } from './dashboard-fixture.js';

function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads server-sent `snapshot` events until `stop` says enough. */
function sse(url: string, stop: (html: string) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const req = request(url, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (!block.startsWith('event: snapshot') || !data) continue;
          const html = (JSON.parse(data.slice(6)) as { html: string }).html;
          seen.push(html);
          if (stop(html)) {
            req.destroy();
            resolve(seen);
          }
        }
      });
    });
    req.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err),
    );
    req.end();
  });
}

const field = (html: string, account: string, name: string) =>
  new RegExp(
    `<tr data-account="${account.replace(/\./g, '\\.')}">.*?data-field="${name}"[^>]*>([^<]*)<`,
  ).exec(html)?.[1];

describe('dashboard snapshot', () => {
  const f = fillState();
  after(() => f.close());

  function snapshot() {
    const model = new LiveModel();
    for (const e of new EventTail(f.state.dir).read()) model.apply(e);
    return buildSnapshot({
      plan: { name: 'acme', accounts: ACCOUNTS },
      store: f.store,
      schedule: f.schedule,
      live: model.view(Date.now()),
      running: false,
      now: Date.now(),
    });
  }

  it('shows the status rows, with an account left in progress and no lock as interrupted', () => {
    const s = snapshot();
    const rows = accountStatusRows({ accounts: ACCOUNTS.map((id) => ({ id })) }, f.store);
    assert.deepEqual(
      s.accounts.map((a) => a.status),
      rows.map((r) => (r.status === 'in progress' ? { ...r, status: 'interrupted' } : r)),
    );
    const by = new Map(s.accounts.map((a) => [a.account, a]));
    assert.deepEqual(
      ACCOUNTS.map((a) => {
        const r = by.get(a)!.status;
        return [r.status, r.copied, r.skipped, r.failed, r.bytes];
      }),
      [
        ['done', 30, 5, 0, 30 * 2048],
        ['interrupted', 19, 0, 1, 19 * 2048],
        ['incomplete', 0, 0, 0, 0],
      ],
    );
    assert.deepEqual(s.totals.copied, 49);
  });

  it('bars, failures, the window, backoff and the schedule', () => {
    const s = snapshot();
    const [biuro, kontakt, sprzedaz] = s.accounts;
    assert.deepEqual(biuro?.messages, { value: 35, max: 35 }, 'unchanged folder counted from the state');
    assert.deepEqual(kontakt?.messages, { value: 20, max: 100 });
    assert.deepEqual(kontakt?.bytes, { value: 19 * 2048, max: 100 * 2048 });
    assert.equal(kontakt?.live, 'running');
    assert.deepEqual(kontakt?.failures, [
      { folder: 'INBOX', uid: 1, reason: 'NO [LIMIT] message too large for this mailbox' },
    ]);
    assert.deepEqual(biuro?.skipped, [
      { reason: 'outside the date window (since 2y)', messages: 5, bytes: 5 * 4096 },
    ]);
    assert.equal(sprzedaz?.backoff?.failures, 2);
    assert.equal(sprzedaz?.lastPass?.status, 'stopped');
    assert.match(sprzedaz?.failures[0]?.reason ?? '', /login refused for sprzedaz@acme\.example/);
    assert.equal(s.schedule?.nextAt, new Date(START + 1_800_000).toISOString());
    assert.deepEqual(
      s.passes.map((p) => [p.number, p.status]),
      [
        [2, 'running'],
        [1, 'incomplete'],
      ],
    );
    assert.ok(s.rate.messages > 0, 'a rate from the progress events of the last minute');
    assert.ok(s.etaSeconds !== undefined && s.etaSeconds > 0, 'time left while the run goes on');
    assert.ok(s.series.points.some((p) => p.messages > 0));
  });
});

describe('dashboard server', () => {
  const f = fillState();
  let d: Dashboard;
  after(async () => {
    await d?.close();
    f.close();
  });

  it('serves the page with its numbers and a policy that loads nothing from elsewhere', async () => {
    d = await startDashboard({
      state: f.state,
      plan: { name: 'acme', client: 'ACME Sp. z o.o.', accounts: ACCOUNTS },
      lang: 'pl',
      pollMs: 100,
    });
    assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(d.url);
    assert.equal(page.status, 200);
    assert.match(
      String(page.headers['content-security-policy']),
      /default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'/,
    );
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(field(page.body, 'kontakt@acme.example', 'copied'), '19');
    assert.equal(field(page.body, 'biuro@acme.example', 'skipped'), '5');
    assert.match(page.body, /Migracja poczty acme/);
    assert.doesNotMatch(page.body, /<script>|style="/, 'no inline script or style');
    assert.doesNotMatch(page.body, /(src|href)="(https?:)?\/\//, 'nothing loaded from another origin');
    const css = await get(`${d.url}dashboard.css`);
    assert.match(String(css.headers['content-type']), /text\/css/);
    const snap = JSON.parse((await get(`${d.url}api/snapshot`)).body) as {
      accounts: { status: { copied: number } }[];
    };
    assert.equal(snap.accounts[1]?.status.copied, 19);
  });

  it('pushes a new snapshot over server-sent events when the copy moves', async () => {
    const seen = sse(`${d.url}events`, (html) => field(html, 'kontakt@acme.example', 'copied') === '49');
    await new Promise((r) => setTimeout(r, 300));
    f.advance(30);
    const htmls = await seen;
    assert.equal(
      field(htmls[0]!, 'kontakt@acme.example', 'copied'),
      '19',
      'the first event is the page as it was',
    );
    assert.equal(field(htmls[htmls.length - 1]!, 'kontakt@acme.example', 'copied'), '49');
  });

  it('answers only to its own address, only reads, and wants its token when it has one', async () => {
    const port = new URL(d.url).port;
    assert.equal((await get(d.url, { host: `evil.example:${port}` })).status, 421, 'DNS rebinding refused');
    assert.equal((await get(d.url, {}, 'POST')).status, 405);
    assert.equal((await get(`${d.url}nothing`)).status, 404);

    const t = await startDashboard({
      state: f.state,
      plan: { name: 'acme', accounts: ACCOUNTS },
      lang: 'en',
      token: 'tok-123',
    });
    try {
      assert.equal(t.token, 'tok-123');
      assert.match(t.url, /\/\?token=tok-123$/);
      const base = t.url.replace(/\?.*$/, '');
      assert.equal((await get(base)).status, 401);
      assert.equal((await get(`${base}?token=tok-999`)).status, 401);
      assert.equal((await get(`${base}events`, { cookie: 'mailshift_dashboard=tok-999' })).status, 401);
      const login = await get(t.url);
      assert.equal(login.status, 303, 'the token is swapped for a cookie and dropped from the address');
      assert.equal(login.headers.location, '/');
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      assert.match(String(login.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
      const page = await get(base, { cookie });
      assert.equal(page.status, 200);
      assert.equal(field(page.body, 'kontakt@acme.example', 'copied'), '49');
    } finally {
      await t.close();
    }
  });
});
