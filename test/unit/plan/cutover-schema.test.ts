/**
 * The plan sections of an unattended migration: spans, ages and instants parse as written;
 * `window`, `schedule` and `notify` load with their defaults; wrong values are refused naming the
 * field; an account's window replaces the plan's; the window decides by INTERNALDATE with a stable
 * skip reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MailshiftError } from '../../../src/core/errors.js';
import { instantBefore, parseAge, parseInstant, parseSpan } from '../../../src/plan/durations.js';
import { loadPlan } from '../../../src/plan/load-plan.js';
import {
  outsideWindow,
  resolveWindow,
  windowOf,
  windowSkipReason,
  WINDOW_REASON,
} from '../../../src/plan/window.js';

const dir = mkdtempSync(join(tmpdir(), 'mailshift-cutover-plan-'));
let files = 0;
function plan(extra: string, accountExtra = ''): string {
  const p = join(dir, `plan-${++files}.yaml`);
  writeFileSync(
    p,
    `version: 1
name: acme
source:      { host: imap.old-host.example, port: 993, security: tls }
destination: { host: imap.new-host.example, port: 143, security: starttls }
accounts:
  - source:      { user: kontakt@acme.example, passwordEnv: OLD_KONTAKT }
    destination: { user: kontakt@acme.example, passwordEnv: NEW_KONTAKT }
${accountExtra}
  - source:      { user: biuro@acme.example, passwordEnv: OLD_BIURO }
    destination: { user: biuro@acme.example, passwordEnv: NEW_BIURO }
${extra}`,
  );
  return p;
}

function refusal(path: string): string {
  try {
    loadPlan(path);
  } catch (err) {
    assert.ok(err instanceof MailshiftError);
    assert.equal(err.code, 'PLAN_INVALID');
    return err.message;
  }
  assert.fail('plan was accepted');
}

describe('spans, ages and instants', () => {
  it('parses spans in any combination of units', () => {
    assert.equal(parseSpan('15m'), 15 * 60_000);
    assert.equal(parseSpan('1h30m'), 90 * 60_000);
    assert.equal(parseSpan('90s'), 90_000);
    assert.equal(parseSpan('2d'), 2 * 86_400_000);
    assert.equal(parseSpan('250ms'), 250);
    for (const bad of ['15', 'm', '1.5h', '15 m', '-5m', '1y']) assert.equal(parseSpan(bad), undefined, bad);
  });

  it('counts ages back on the calendar', () => {
    const now = new Date('2026-03-31T12:00:00Z');
    assert.deepEqual(parseAge('2y'), { count: 2, unit: 'y' });
    assert.equal(instantBefore(parseAge('2y')!, now).toISOString(), '2024-03-31T12:00:00.000Z');
    assert.equal(instantBefore(parseAge('90d')!, now).toISOString(), '2025-12-31T12:00:00.000Z');
    assert.equal(instantBefore(parseAge('2w')!, now).toISOString(), '2026-03-17T12:00:00.000Z');
    assert.equal(
      instantBefore(parseAge('1mo')!, new Date('2026-05-15T00:00:00Z')).toISOString(),
      '2026-04-15T00:00:00.000Z',
    );
    assert.equal(parseAge('2 years'), undefined);
  });

  it('reads a day as midnight UTC and a date-time only with its zone', () => {
    assert.equal(parseInstant('2024-01-01')?.toISOString(), '2024-01-01T00:00:00.000Z');
    assert.equal(parseInstant('2026-12-05T18:00:00+01:00')?.toISOString(), '2026-12-05T17:00:00.000Z');
    assert.equal(parseInstant('2026-12-05T18:00Z')?.toISOString(), '2026-12-05T18:00:00.000Z');
    assert.equal(parseInstant('2026-12-05T18:00:00'), undefined, 'no zone: ambiguous');
    assert.equal(parseInstant('2024-02-30'), undefined, 'no such day');
    assert.equal(parseInstant('yesterday'), undefined);
  });
});

describe('plan sections window, schedule, notify', () => {
  it('loads them with their defaults', () => {
    const p = loadPlan(
      plan(`window: { since: 2y }
schedule: { every: 10m, cutover: "2026-12-05T18:00:00+01:00" }
notify:
  webhooks:
    - { urlEnv: SLACK_HOOK, style: slack }
    - { url: "http://127.0.0.1:9000/hook" }
  email:
    smtp: { host: smtp.acme.example, port: 587, security: starttls, user: it@acme.example, passwordEnv: SMTP_PASS }
    from: mailshift@acme.example
    to: [it@acme.example]
`),
    );
    assert.deepEqual(p.window, { since: '2y' });
    assert.equal(p.schedule?.every, '10m');
    assert.equal(p.schedule?.idle, true);
    assert.equal(p.schedule?.minGap, '1m');
    assert.equal(p.schedule?.maxBackoff, '6h');
    assert.equal(p.notify?.webhooks[0]?.style, 'slack');
    assert.equal(p.notify?.webhooks[1]?.style, 'json');
    assert.deepEqual(p.notify?.on, ['pass-done', 'account-stopped', 'cutover-done', 'sync-stopped']);
    assert.equal(p.notify?.repeatAfter, '24h');
    assert.equal(p.notify?.email?.smtp.tlsVerify, true);
    assert.equal(p.options.newestFirst, true);
  });

  it('a plan without them has none (and copies newest first)', () => {
    const p = loadPlan(plan(''));
    assert.equal(p.window, undefined);
    assert.equal(p.schedule, undefined);
    assert.equal(p.notify, undefined);
    assert.equal(p.options.newestFirst, true);
  });

  it('refuses a wrong window, naming the field', () => {
    assert.match(refusal(plan('window: { since: 2 years }\n')), /window\.since: a date .* or an age/);
    assert.match(refusal(plan('window: { before: 2y }\n')), /window\.before: a date/);
    assert.match(
      refusal(plan('window: { since: 2025-01-01, before: 2024-01-01 }\n')),
      /window: since must be earlier than before/,
    );
    assert.match(refusal(plan('window: { after: 2024-01-01 }\n')), /window: Unrecognized key/);
  });

  it('refuses a wrong schedule, naming the field', () => {
    assert.match(refusal(plan('schedule: { every: 15 }\n')), /schedule\.every: a span such as 30s, 15m/);
    assert.match(refusal(plan('schedule: { every: 500ms }\n')), /schedule\.every: .*at least 1 s/);
    assert.match(
      refusal(plan('schedule: { cutover: "2026-12-05 18:00" }\n')),
      /schedule\.cutover: a date-time with its zone/,
    );
    assert.match(refusal(plan('schedule: { cutover: "2026-12-05" }\n')), /schedule\.cutover: a date-time/);
  });

  it('keeps secret webhook URLs out of the plan', () => {
    assert.match(
      refusal(
        plan('notify: { webhooks: [ { url: "https://hooks.slack.com/services/T/B/x", style: slack } ] }\n'),
      ),
      /notify\.webhooks\[0\]: a Slack or Teams webhook URL is a secret: give it with urlEnv or urlFile/,
    );
    assert.match(
      refusal(plan('notify: { webhooks: [ { url: "https://user:pw@example.com/hook" } ] }\n')),
      /notify\.webhooks\[0\]: this URL carries credentials or a query/,
    );
    assert.match(
      refusal(plan('notify: { webhooks: [ { url: "https://example.com/hook?key=abc" } ] }\n')),
      /this URL carries credentials or a query/,
    );
    assert.match(
      refusal(plan('notify: { webhooks: [ { url: "http://127.0.0.1/x", urlEnv: HOOK } ] }\n')),
      /give exactly one of url, urlEnv, urlFile/,
    );
  });

  it('refuses an SMTP login without its secret, and a secret without a login', () => {
    const email = (smtp: string) =>
      plan(`notify: { email: { smtp: ${smtp}, from: a@acme.example, to: [b@acme.example] } }\n`);
    assert.match(
      refusal(email('{ host: smtp.x, port: 587, security: starttls, user: it@acme.example }')),
      /notify\.email\.smtp: with user, give exactly one of passwordEnv, passwordFile/,
    );
    assert.match(
      refusal(email('{ host: smtp.x, port: 25, security: none, passwordEnv: P }')),
      /notify\.email\.smtp: with user/,
    );
    assert.match(
      refusal(email('{ host: smtp.x, port: 587, security: starttls, user: u, password: p }')),
      /Unrecognized key/,
    );
    assert.match(refusal(plan('notify: { on: [pass-done, reboot] }\n')), /notify\.on\[1\]/);
    assert.match(refusal(plan('notify: { repeatAfter: 10s }\n')), /notify\.repeatAfter: .*at least 60 s/);
  });
});

describe('the date window', () => {
  it("an account's window replaces the plan's whole", () => {
    const p = loadPlan(plan('window: { since: 2y }\n', '    window: { before: 2026-01-01 }\n'));
    const [kontakt, biuro] = p.accounts;
    assert.deepEqual(windowOf(p, kontakt!), { before: '2026-01-01' });
    assert.deepEqual(windowOf(p, biuro!), { since: '2y' });
    const all = loadPlan(plan('window: { since: 2y }\n', '    window: {}\n'));
    assert.deepEqual(windowOf(all, all.accounts[0]!), {}, 'window: {} copies all mail');
  });

  it('decides by INTERNALDATE: since inclusive, before exclusive', () => {
    const now = new Date('2026-12-02T10:00:00Z');
    const w = resolveWindow({ since: '2024-01-01', before: '2026-01-01' }, now);
    assert.equal(outsideWindow(w, Date.parse('2023-12-31T23:59:59Z')), 'before-since');
    assert.equal(outsideWindow(w, Date.parse('2024-01-01T00:00:00Z')), undefined);
    assert.equal(outsideWindow(w, Date.parse('2025-12-31T23:59:59Z')), undefined);
    assert.equal(outsideWindow(w, Date.parse('2026-01-01T00:00:00Z')), 'from-before');
    const aged = resolveWindow({ since: '2y' }, now);
    assert.equal(aged.since?.toISOString(), '2024-12-02T10:00:00.000Z');
    assert.equal(outsideWindow(resolveWindow(undefined, now), 0), undefined, 'no window: all mail');
  });

  it('names the reason in the plan words, the same on every pass', () => {
    const a = resolveWindow({ since: '2y' }, new Date('2026-01-01T00:00:00Z'));
    const b = resolveWindow({ since: '2y' }, new Date('2026-06-01T00:00:00Z'));
    assert.equal(windowSkipReason(a, 'before-since'), `${WINDOW_REASON} (since 2y)`);
    assert.equal(windowSkipReason(a, 'before-since'), windowSkipReason(b, 'before-since'));
    assert.equal(
      windowSkipReason(resolveWindow({ before: '2026-01-01' }, new Date()), 'from-before'),
      'outside the date window (before 2026-01-01)',
    );
  });
});
