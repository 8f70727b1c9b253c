/**
 * Provider presets and rules (issue 18), without servers: what `provider:` sets in a plan and how
 * the plan overrides it; the mapping of recorded Gmail and Microsoft 365 folder lists under their
 * rules; Gmail's label index, home label and keywords; the daily upload budget; the refusals that
 * concern one message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FolderDecision, FolderListing, SideListing } from '../../../src/core/folders.js';
import { MailshiftError, StoreError } from '../../../src/core/errors.js';
import { loadPlan } from '../../../src/plan/load-plan.js';
import { proposeMapping } from '../../../src/plan/mapping.js';
import {
  gmailView,
  labelKeyword,
  LabelIndex,
  copyFlags,
  type GmailView,
} from '../../../src/plan/gmail-labels.js';
import { GENERIC_PROFILE, type MappingProfile } from '../../../src/plan/provider-folders.js';
import { EXCHANGE_MAX_MESSAGE, GMAIL_APPEND_LIMIT, providerOf } from '../../../src/plan/provider-presets.js';
import { DailyBudget, isUploadLimitBye } from '../../../src/engine/daily-budget.js';
import { gmailSummary } from '../../../src/report/dry-run-gmail.js';
import type { SourceFolderFacts } from '../../../src/plan/discovery.js';
import { SizedMessages } from '../../../src/plan/sized-messages.js';

function fixture(name: string): SideListing {
  const url = new URL(`../../../fixtures/providers/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { listing: SideListing }).listing;
}

const DOVECOT = fixture('dovecot-special-use');

function table(decisions: FolderDecision[]): string[] {
  return decisions.map((d) =>
    d.action === 'copy' ? `${d.source} -> ${d.destination} (${d.reason})` : `${d.source} skip ${d.reason}`,
  );
}

function withPlan<T>(yaml: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mailshift-preset-'));
  try {
    writeFileSync(join(dir, 'plan.yaml'), yaml);
    return fn(join(dir, 'plan.yaml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PLAN = (source: string, destination: string, extra = '') =>
  [
    'version: 1',
    'name: presets',
    `source: { host: a.example, port: 993, security: tls${source} }`,
    `destination: { host: b.example, port: 993, security: tls${destination} }`,
    'accounts:',
    '  - source: { user: a@x, passwordEnv: A }',
    '    destination: { user: a@y, passwordEnv: B }',
    extra,
  ].join('\n');

describe('provider presets in the plan', () => {
  it('google on the destination sets connections, APPENDLIMIT and the daily upload; generic sets nothing', () => {
    const plan = withPlan(PLAN(', provider: generic', ', provider: google'), loadPlan);
    assert.equal(plan.destination.maxConnections, 10);
    assert.equal(plan.limits.maxMessageSize, GMAIL_APPEND_LIMIT);
    assert.equal(plan.limits.maxBytesPerDay, 500_000_000);
    assert.equal(plan.source.maxConnections, 10, 'generic keeps the default');
    const dst = plan.presets?.find((p) => p.side === 'destination');
    assert.deepEqual(
      dst?.settings.map((s) => `${s.field}=${s.value}:${s.from}`),
      [
        'destination.maxConnections=10:preset',
        `limits.maxMessageSize=${GMAIL_APPEND_LIMIT}:preset`,
        'limits.maxBytesPerDay=500000000:preset',
      ],
    );
    assert.deepEqual(plan.presets?.find((p) => p.side === 'source')?.settings, []);
  });

  it('microsoft365: 35 MB and 8 connections, each overridable (a tenant raised to 150 MB)', () => {
    const preset = withPlan(PLAN(', provider: microsoft365', ', provider: microsoft365'), loadPlan);
    assert.equal(preset.limits.maxMessageSize, EXCHANGE_MAX_MESSAGE);
    assert.equal(preset.source.maxConnections, 8);
    assert.equal(preset.destination.maxConnections, 8);
    const raised = withPlan(
      PLAN(
        ', provider: microsoft365',
        ', provider: microsoft365, maxConnections: 4',
        'limits: { maxMessageSize: 157286400 }',
      ),
      loadPlan,
    );
    assert.equal(raised.limits.maxMessageSize, 157_286_400);
    assert.equal(raised.destination.maxConnections, 4);
    const settings = raised.presets?.find((p) => p.side === 'destination')?.settings ?? [];
    assert.deepEqual(
      settings.map((s) => `${s.field}:${s.from}`),
      ['destination.maxConnections:plan', 'limits.maxMessageSize:plan'],
    );
  });

  it('an unknown provider is refused naming the field', () => {
    assert.throws(
      () => withPlan(PLAN(', provider: yahoo', ''), loadPlan),
      (err: unknown) => err instanceof MailshiftError && /source\.provider/.test(err.message),
    );
  });

  it('a provider is recognised by its capabilities when the plan does not name it', () => {
    assert.deepEqual(providerOf(undefined, ['IMAP4REV1', 'X-GM-EXT-1']), {
      provider: 'google',
      by: 'capability',
    });
    assert.equal(providerOf(undefined, ['IMAP4', 'CLIENTACCESSRULES']).provider, 'microsoft365');
    assert.deepEqual(providerOf(undefined, ['IMAP4REV1', 'SPECIAL-USE']), {
      provider: 'generic',
      by: 'none',
    });
    assert.deepEqual(providerOf('generic', ['X-GM-EXT-1']), { provider: 'generic', by: 'plan' });
  });
});

const GOOGLE: MappingProfile = { source: 'google', destination: 'generic' };

describe('mapping under the provider rules', () => {
  it('Gmail source: All Mail goes to Archive for archived-only mail; Starred and Important are not folders', () => {
    const gmail = fixture('gmail');
    assert.deepEqual(table(proposeMapping(gmail, DOVECOT, {}, GOOGLE)), [
      'INBOX -> INBOX (inbox)',
      '[Gmail] skip not-selectable',
      '[Gmail]/All Mail -> Archive (archived-only)',
      '[Gmail]/Drafts -> Drafts (special-use)',
      '[Gmail]/Important skip virtual',
      '[Gmail]/Sent Mail -> Sent (special-use)',
      '[Gmail]/Spam -> Junk (special-use)',
      '[Gmail]/Starred skip virtual',
      '[Gmail]/Trash -> Trash (special-use)',
    ]);
    const generic = proposeMapping(gmail, DOVECOT, {}, GENERIC_PROFILE);
    assert.equal(generic.find((d) => d.source === '[Gmail]/All Mail')?.action, 'skip', 'only a Gmail source');
    const important = proposeMapping(gmail, DOVECOT, {}, GOOGLE).find(
      (d) => d.source === '[Gmail]/Important',
    );
    assert.match(important?.action === 'skip' ? important.detail : '', /\$Important/);
  });

  it('Gmail source: the plan names the archive folder; a label is never special by its name', () => {
    const gmail = fixture('gmail');
    gmail.folders.push({ path: 'Sent', delimiter: '/', flags: ['\\HasNoChildren'], subscribed: true });
    const decisions = proposeMapping(gmail, DOVECOT, {}, { ...GOOGLE, archiveFolder: 'Stara poczta/Gmail' });
    const t = table(decisions);
    assert.ok(t.includes('[Gmail]/All Mail -> Stara poczta/Gmail (archived-only)'), t.join('\n'));
    assert.ok(t.includes('[Gmail]/Sent Mail -> Sent (special-use)'));
    assert.ok(t.includes('Sent -> Sent (2) (same-name)'), 'the label "Sent" keeps its own folder');
  });

  it('Microsoft 365 source: folders that are not mail are left out with the reason; special folders from LIST', () => {
    const m365 = fixture('microsoft365');
    m365.folders.push({ path: 'Files', delimiter: '/', flags: ['\\HasNoChildren'], subscribed: true });
    m365.folders.push({
      path: 'Klienci/Notes',
      delimiter: '/',
      flags: ['\\HasNoChildren'],
      subscribed: true,
    });
    const decisions = proposeMapping(m365, DOVECOT, {}, { source: 'microsoft365', destination: 'generic' });
    const skipped = decisions
      .filter((d) => d.action === 'skip' && d.reason === 'not-mail')
      .map((d) => d.source);
    assert.deepEqual(skipped.sort(), [
      'Calendar',
      'Calendar/Birthdays',
      'Calendar/United States holidays',
      'Contacts',
      'Conversation History',
      'Files',
      'Journal',
      'Notes',
      'Outbox',
      'RSS Feeds',
      'Sync Issues',
      'Sync Issues/Conflicts',
      'Sync Issues/Local Failures',
      'Sync Issues/Server Failures',
      'Tasks',
    ]);
    const why = new Map(decisions.flatMap((d) => (d.action === 'skip' ? [[d.source, d.detail]] : [])));
    assert.match(why.get('Calendar/Birthdays') ?? '', /calendar/i);
    assert.match(why.get('Outbox') ?? '', /outbox/i);
    assert.match(why.get('Sync Issues/Conflicts') ?? '', /synchronisation/);
    const t = table(decisions);
    assert.ok(t.includes('Sent Items -> Sent (special-use)'));
    assert.ok(t.includes('Klienci/Notes -> Klienci/Notes (same-name)'), 'a user folder deeper down is mail');
    const polish = proposeMapping(
      {
        namespace: { prefix: '', delimiter: '/' },
        folders: ['Kalendarz', 'Kontakty', 'Zadania', 'Skrzynka nadawcza', 'Oferty'].map(
          (p) => ({ path: p, delimiter: '/', flags: [], subscribed: true }) as FolderListing,
        ),
      },
      DOVECOT,
      {},
      { source: 'microsoft365', destination: 'generic' },
    );
    assert.deepEqual(table(polish).filter((x) => x.includes('not-mail')).length, 4);
  });

  it('Microsoft 365 destination: Files renamed, names compared case-insensitively', () => {
    const m365 = fixture('microsoft365');
    const source: SideListing = {
      namespace: { prefix: '', delimiter: '/' },
      folders: ['INBOX', 'Files', 'archive 2020', 'ARCHIVE 2020'].map((p) => ({
        path: p,
        delimiter: '/',
        flags: [],
        subscribed: true,
      })),
    };
    const t = table(proposeMapping(source, m365, {}, { source: 'generic', destination: 'microsoft365' }));
    assert.ok(t.includes('Files -> Files (2) (same-name)'), t.join('\n'));
    assert.ok(
      t.includes('ARCHIVE 2020 -> ARCHIVE 2020 (2) (same-name)'),
      'no silent merge of names Exchange takes as one',
    );
  });

  it('Gmail destination: special folders by attribute, label names cleaned of what Gmail refuses', () => {
    const gmail = fixture('gmail');
    for (const f of gmail.folders) {
      const use = f.flags.find((x) => ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\All'].includes(x));
      if (use) f.specialUse = use as FolderListing['specialUse'];
    }
    const source: SideListing = {
      namespace: { prefix: 'INBOX.', delimiter: '.' },
      folders: ['INBOX', 'INBOX.Wys\u0142ane', 'INBOX.Kosz', 'INBOX.  Oferty  2024 ', 'INBOX.a^b'].map(
        (p) => ({ path: p, delimiter: '.', flags: [], subscribed: true }),
      ),
    };
    const t = table(proposeMapping(source, gmail, {}, { source: 'generic', destination: 'google' }));
    assert.deepEqual(t, [
      'INBOX -> INBOX (inbox)',
      'INBOX.Wys\u0142ane -> [Gmail]/Sent Mail (localized-name)',
      'INBOX.Kosz -> [Gmail]/Trash (localized-name)',
      'INBOX.  Oferty  2024  -> Oferty 2024 (same-name)',
      'INBOX.a^b -> a_b (same-name)',
    ]);
  });

  it('Gmail to Gmail: archived-only mail goes to All Mail, which archives without a label', () => {
    const gmail = fixture('gmail');
    for (const f of gmail.folders) if (f.flags.includes('\\All')) f.specialUse = '\\All';
    const t = table(proposeMapping(fixture('gmail'), gmail, {}, { source: 'google', destination: 'google' }));
    assert.ok(t.includes('[Gmail]/All Mail -> [Gmail]/All Mail (archived-only)'), t.join('\n'));
  });
});

/** A small Gmail account: labels L1, L2 (alphabetical), INBOX, Important; messages by identity. */
function gmailAccount(mode: 'folders' | 'one-copy'): { view: GmailView; index: LabelIndex } {
  const f = (path: string, flags: string[] = []): FolderListing => ({
    path,
    delimiter: '/',
    flags,
    subscribed: true,
  });
  const source: SideListing = {
    namespace: { prefix: '', delimiter: '/' },
    capabilities: ['IMAP4REV1', 'X-GM-EXT-1'],
    folders: [
      f('INBOX'),
      f('[Gmail]', ['\\Noselect']),
      f('[Gmail]/All Mail', ['\\All']),
      f('[Gmail]/Important', ['\\Important']),
      f('Zeta'),
      f('Alfa/Klient \u017babka'),
    ],
  };
  const decisions = proposeMapping(source, DOVECOT, {}, GOOGLE);
  const view = gmailView({ labels: mode }, decisions, source);
  assert.ok(view);
  const index = new LabelIndex();
  index.add({ identity: 'm1' }, 'Zeta');
  index.add({ identity: 'm1' }, 'Alfa/Klient \u017babka');
  index.add({ identity: 'm2' }, 'INBOX');
  index.add({ identity: 'm2' }, 'Zeta');
  index.markImportant({ identity: 'm2' });
  return { view, index };
}

describe("Gmail's labels", () => {
  it('one-copy: INBOX first, then labels by name; the others become keywords in modified UTF-7', () => {
    const { view, index } = gmailAccount('one-copy');
    assert.equal(view.order.home(index.foldersOf({ identity: 'm1' })), 'Alfa/Klient \u017babka');
    assert.equal(view.order.home(index.foldersOf({ identity: 'm2' })), 'INBOX');
    assert.deepEqual(copyFlags(view, index, { identity: 'm1', flags: ['\\Seen'] }, 'Zeta'), [
      '\\Seen',
      'Zeta',
    ]);
    assert.deepEqual(copyFlags(view, index, { identity: 'm2', flags: [] }, 'INBOX'), ['$Important', 'Zeta']);
    assert.deepEqual(copyFlags(view, index, { identity: 'archived', flags: [] }, '[Gmail]/All Mail'), []);
    assert.equal(labelKeyword('Alfa/Klient \u017babka'), 'Alfa/Klient_&AXs-abka');
    assert.equal(labelKeyword('Muy (Importante)'), 'Muy__Importante_');
  });

  it('default mode: every label keeps its copy, Important is the only keyword', () => {
    const { view, index } = gmailAccount('folders');
    assert.deepEqual(copyFlags(view, index, { identity: 'm2', flags: ['\\Seen'] }, 'Zeta'), [
      '\\Seen',
      '$Important',
    ]);
    assert.deepEqual(copyFlags(view, index, { identity: 'm1', flags: [] }, 'Zeta'), []);
  });

  it('the dry-run summary counts labels, multi-labelled and archived-only mail, and both modes', () => {
    const { view } = gmailAccount('one-copy');
    const facts = (path: string, keys: [string, number][]): SourceFolderFacts => ({
      path,
      selectable: true,
      messages: keys.length,
      bytes: keys.reduce((s, [, n]) => s + n, 0),
      flagCounts: {},
      bySize: SizedMessages.none(path),
      messageKeys: keys.map(([key, size]) => ({ key, size })),
    });
    const summary = gmailSummary(
      view,
      [
        facts('INBOX', [['m2', 10]]),
        facts('Zeta', [
          ['m1', 100],
          ['m2', 10],
        ]),
        facts('Alfa/Klient \u017babka', [['m1', 100]]),
        facts('[Gmail]/All Mail', [
          ['m1', 100],
          ['m2', 10],
          ['a1', 7],
          ['a2', 3],
        ]),
        facts('[Gmail]/Important', [['m2', 10]]),
      ],
      [
        {
          action: 'copy',
          source: '[Gmail]/All Mail',
          destination: 'Archive',
          reason: 'archived-only',
          exists: true,
          warnings: [],
        },
      ],
    );
    assert.deepEqual(summary.archivedOnly, { messages: 2, bytes: 10, destination: 'Archive' });
    assert.equal(summary.multiLabelled, 2);
    assert.deepEqual(summary.modes.folders, { messages: 6, bytes: 230 });
    assert.deepEqual(summary.modes.oneCopy, { messages: 4, bytes: 120 });
    assert.equal(summary.important, 1);
  });
});

describe('provider limits and refusals', () => {
  it('the daily upload budget stops the account once a day is spent, naming when to run again', () => {
    let now = Date.UTC(2026, 0, 10, 12);
    const budget = new DailyBudget('anna@x', 1000, { appendedSince: () => 600, now: () => now });
    budget.take(300);
    assert.throws(
      () => budget.take(200),
      (err: unknown) =>
        err instanceof MailshiftError &&
        err.code === 'DAILY_LIMIT' &&
        err.scope === 'account' &&
        /2026-01-11T12:00:00Z/.test(err.hint ?? ''),
    );
    now += 1;
    const fresh = new DailyBudget('anna@x', 1000, { appendedSince: () => 0, now: () => now });
    fresh.take(5000);
    assert.throws(() => fresh.take(1), /daily upload limit/, 'a day starts with at least one batch');
  });

  it("Gmail's BYE after its upload limit is recognised, also under an appender's error", () => {
    const bye = new StoreError('closed: BYE Session expired, please login again', {
      kind: 'connection',
      responseCode: 'BYE',
      serverText: 'Session expired, please login again',
    });
    assert.ok(isUploadLimitBye(bye));
    assert.ok(isUploadLimitBye(new StoreError('appending stopped', { kind: 'connection', cause: bye })));
    assert.ok(
      !isUploadLimitBye(
        new StoreError('closed', { kind: 'connection', responseCode: 'BYE', serverText: 'Logging out' }),
      ),
    );
  });
});
