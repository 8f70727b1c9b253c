/**
 * The notifier without a network: every known secret and credential-looking text is scrubbed from
 * what leaves; repeats of one key are held back for repeatAfter and sent again after it or once
 * forgotten; kinds the plan does not ask for are not sent; a channel that fails neither throws nor
 * marks the notice as sent; the webhook bodies follow mailshift's schema, Slack's and Teams'.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOTIFICATION_SCHEMA, type Notification } from '../../../src/notify/notification.js';
import { Notifier, type NoticeMemory } from '../../../src/notify/notifier.js';
import { REDACTED, scrubText } from '../../../src/notify/scrub.js';
import { webhookBody } from '../../../src/notify/webhook.js';

function memory(): NoticeMemory & { keys: Map<string, number> } {
  const keys = new Map<string, number>();
  return {
    keys,
    lastSent: (k) => keys.get(k),
    remember: (k, at) => void keys.set(k, at),
    forget: (p) => {
      for (const k of [...keys.keys()]) if (k.startsWith(p)) keys.delete(k);
    },
  };
}

function note(text: string, kind: Notification['kind'] = 'account-stopped'): Notification {
  return {
    schema: NOTIFICATION_SCHEMA,
    kind,
    severity: 'error',
    plan: 'acme',
    time: '2026-12-02T03:00:00.000Z',
    title: 'Account b@acme.example stopped',
    text,
  };
}

describe('scrubText', () => {
  it('removes known secrets and credential-looking parts, and nothing else', () => {
    const text =
      'login refused for b@acme.example with S3cr3t-pass; token=abc.def.ghi; see https://u:pw@hooks.example/x?sig=123&a=1 ' +
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload password: hunter22';
    const out = scrubText(text, ['S3cr3t-pass', 'ab']);
    for (const secret of ['S3cr3t-pass', 'abc.def.ghi', 'u:pw', '123', 'eyJhbGciOiJIUzI1NiJ9', 'hunter22'])
      assert.ok(!out.includes(secret), `${secret} left in: ${out}`);
    assert.match(out, /login refused for b@acme\.example with \[redacted\]/);
    assert.match(out, /a=1/, 'other query parameters stay');
    assert.match(scrubText('about', ['ab']), /^about$/, 'a 2-letter "secret" is not replaced everywhere');
    assert.equal(scrubText('nothing secret here', []), 'nothing secret here');
    assert.equal(REDACTED, '[redacted]');
  });
});

describe('Notifier', () => {
  it('sends to every channel, scrubbed; holds back a repeat of the same key until repeatAfter', async () => {
    let now = 1_000_000;
    const got: Notification[] = [];
    const mem = memory();
    const n = new Notifier({
      channels: [
        { name: 'a', send: async (x) => void got.push(x) },
        { name: 'b', send: async (x) => void got.push(x) },
      ],
      on: ['account-stopped'],
      repeatAfterMs: 60_000,
      memory: mem,
      secrets: () => ['hunter22'],
      now: () => now,
    });
    const notice = { notification: note('password hunter22 refused'), dedupeKey: 'account-stopped:b:AUTH' };
    assert.deepEqual(await n.send(notice), {
      sent: true,
      deliveries: [
        { channel: 'a', ok: true },
        { channel: 'b', ok: true },
      ],
    });
    assert.equal(got.length, 2);
    assert.ok(got.every((x) => !x.text.includes('hunter22') && x.text.includes(REDACTED)));
    now += 59_000;
    assert.deepEqual(await n.send(notice), { sent: false, heldBack: 'repeat', deliveries: [] });
    now += 2_000;
    assert.equal((await n.send(notice)).sent, true, 'sent again after repeatAfter');
    n.forget('account-stopped:b:');
    assert.equal(
      (await n.send(notice)).sent,
      true,
      'sent again once forgotten (recovered, then failed again)',
    );
    assert.equal(got.length, 6);
    assert.deepEqual((await n.send({ notification: note('x', 'pass-done') })).heldBack, 'not-wanted');
  });

  it('a failing channel neither throws nor marks the notice sent; its error is scrubbed', async () => {
    const mem = memory();
    const n = new Notifier({
      channels: [
        {
          name: 'hook',
          send: async () => {
            throw new Error('POST https://hooks.slack.com/services/T0/B0/XyZsecretXyZ failed');
          },
        },
      ],
      on: ['account-stopped'],
      repeatAfterMs: 60_000,
      memory: mem,
      secrets: () => ['https://hooks.slack.com/services/T0/B0/XyZsecretXyZ'],
    });
    const r = await n.send({ notification: note('x'), dedupeKey: 'k' });
    assert.equal(r.sent, false);
    assert.equal(r.deliveries[0]?.ok, false);
    assert.doesNotMatch(r.deliveries[0]?.error ?? '', /XyZsecretXyZ/);
    assert.equal(mem.lastSent('k'), undefined, 'tried again next time');
  });
});

describe('webhookBody', () => {
  const n = note('line one\nline <two> & more');
  it('json: the notification itself, with its schema', () => {
    assert.deepEqual(webhookBody('json', n), n);
  });
  it('slack: one text field, with Slack escaping', () => {
    assert.deepEqual(webhookBody('slack', n), {
      text: '*Account b@acme.example stopped*\nline one\nline &lt;two&gt; &amp; more',
    });
  });
  it('teams: a message with one Adaptive Card', () => {
    const body = webhookBody('teams', n) as {
      type: string;
      attachments: { contentType: string; content: { type: string; body: { text: string }[] } }[];
    };
    assert.equal(body.type, 'message');
    assert.equal(body.attachments[0]?.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(body.attachments[0]?.content.type, 'AdaptiveCard');
    assert.deepEqual(
      body.attachments[0]?.content.body.map((b) => b.text),
      [n.title, n.text],
    );
  });
});
