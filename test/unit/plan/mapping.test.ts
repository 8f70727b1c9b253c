/**
 * The folder mapping against recorded folder lists of real providers (fixtures/providers), then one
 * rule at a time: prefixes, delimiters, Unicode normalization, collisions, overrides and their order.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type {
  FolderDecision,
  FolderListing,
  MappingRules,
  SideListing,
  SpecialUse,
} from '../../../src/core/folders.js';
import { LOCALIZED_NAMES, nameKey, specialUseOfName } from '../../../src/plan/localized-names.js';
import { fromLogical, globToRegExp, proposeMapping, toLogical } from '../../../src/plan/mapping.js';
import { MailshiftError } from '../../../src/core/errors.js';

function fixture(name: string): SideListing {
  const url = new URL(`../../../fixtures/providers/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { listing: SideListing }).listing;
}

const SPECIAL_USE_DOVECOT = fixture('dovecot-special-use');

/** One line per decision: `source -> destination`, or `source skip <reason>`. */
function table(decisions: FolderDecision[]): string[] {
  return decisions.map((d) =>
    d.action === 'copy' ? `${d.source} -> ${d.destination}` : `${d.source} skip ${d.reason}`,
  );
}

function copyOf(decisions: FolderDecision[], source: string): Extract<FolderDecision, { action: 'copy' }> {
  const decision = decisions.find((d) => d.source === source);
  assert.ok(decision, `no decision for ${source}`);
  assert.equal(decision.action, 'copy', `${source} should be copied`);
  return decision as Extract<FolderDecision, { action: 'copy' }>;
}

function folder(path: string, delimiter: string, extra: Partial<FolderListing> = {}): FolderListing {
  return { path, delimiter, flags: ['\\HasNoChildren'], subscribed: true, ...extra };
}

/** A Dovecot-like side: `/`, no prefix. */
function slashSide(folders: (string | FolderListing)[], caseInsensitive?: boolean): SideListing {
  return {
    namespace: { prefix: '', delimiter: '/' },
    folders: folders.map((f) => (typeof f === 'string' ? folder(f, '/') : f)),
    ...(caseInsensitive === undefined ? {} : { caseInsensitive }),
  };
}

/** A cPanel/Courier-like side: `INBOX.` prefix, `.` delimiter. */
function dotSide(folders: (string | FolderListing)[]): SideListing {
  return {
    namespace: { prefix: 'INBOX.', delimiter: '.' },
    folders: folders.map((f) => (typeof f === 'string' ? folder(f, '.') : f)),
  };
}

function map(
  source: SideListing,
  rules: MappingRules = {},
  destination = SPECIAL_USE_DOVECOT,
): FolderDecision[] {
  return proposeMapping(source, destination, rules);
}

describe('provider folder lists mapped to a SPECIAL-USE Dovecot', () => {
  it('Gmail: system folders by special use, virtual views and the [Gmail] container skipped', () => {
    assert.deepEqual(table(map(fixture('gmail'))), [
      'INBOX -> INBOX',
      '[Gmail] skip not-selectable',
      '[Gmail]/All Mail skip virtual',
      '[Gmail]/Drafts -> Drafts',
      '[Gmail]/Important skip virtual',
      '[Gmail]/Sent Mail -> Sent',
      '[Gmail]/Spam -> Junk',
      '[Gmail]/Starred skip virtual',
      '[Gmail]/Trash -> Trash',
    ]);
  });

  it('Gmail with [Google Mail] and user labels: labels keep their names and nesting', () => {
    assert.deepEqual(table(map(fixture('googlemail'))), [
      'INBOX -> INBOX',
      'Personal -> Personal',
      'Receipts -> Receipts',
      'Travel -> Travel',
      'Work -> Work',
      '[Google Mail] skip not-selectable',
      '[Google Mail]/All Mail skip virtual',
      '[Google Mail]/Drafts -> Drafts',
      '[Google Mail]/Important skip virtual',
      '[Google Mail]/Sent Mail -> Sent',
      '[Google Mail]/Spam -> Junk',
      '[Google Mail]/Starred skip virtual',
      '[Google Mail]/Trash -> Trash',
      'test -> test',
      'test/test2 -> test/test2',
    ]);
  });

  it('Microsoft 365: special folders by attribute, Sync Issues skipped, a second Trash kept apart', () => {
    const decisions = map(fixture('microsoft365'));
    assert.deepEqual(table(decisions), [
      'Archive -> Archive',
      'Calendar -> Calendar',
      'Calendar/Birthdays -> Calendar/Birthdays',
      'Calendar/United States holidays -> Calendar/United States holidays',
      'Contacts -> Contacts',
      'Conversation History -> Conversation History',
      'Deleted Items -> Trash',
      'Drafts -> Drafts',
      'INBOX -> INBOX',
      'Journal -> Journal',
      'Junk Email -> Junk',
      'Notes -> Notes',
      'Outbox -> Outbox',
      'RSS Feeds -> RSS Feeds',
      'Sent Items -> Sent',
      'Sync Issues skip provider-duplicate',
      'Sync Issues/Conflicts skip provider-duplicate',
      'Sync Issues/Local Failures skip provider-duplicate',
      'Sync Issues/Server Failures skip provider-duplicate',
      'Tasks -> Tasks',
      'Trash -> Trash (2)',
    ]);
    assert.equal(copyOf(decisions, 'Deleted Items').reason, 'special-use');
    assert.match(copyOf(decisions, 'Trash').warnings.join('\n'), /Deleted Items/);
  });

  it('cPanel Dovecot (INBOX. prefix, no special use): Spanish and English folders by name', () => {
    const decisions = map(fixture('cpanel-dovecot'));
    assert.deepEqual(table(decisions), [
      'INBOX -> INBOX',
      'INBOX.Archive -> Archive',
      'INBOX.Borradores -> Borradores',
      'INBOX.Civico 2019 -> Civico 2019',
      'INBOX.Correo electrónico no deseado -> Junk',
      'INBOX.Drafts -> Drafts',
      'INBOX.Elementos eliminados -> Trash',
      'INBOX.Elementos enviados -> Sent',
    ]);
    assert.equal(copyOf(decisions, 'INBOX.Elementos enviados').reason, 'localized-name');
    assert.equal(copyOf(decisions, 'INBOX.Borradores').warnings.length, 1);
  });

  it('Courier: the folder already called Sent keeps the role over Outlook\'s "Sent Items"', () => {
    assert.deepEqual(table(map(fixture('courier'))), [
      'INBOX -> INBOX',
      'INBOX.Trash -> Trash',
      'INBOX.Sent -> Sent',
      'INBOX.Deleted Items -> Deleted Items',
      'INBOX.Sent Items -> Sent Items',
    ]);
  });

  it('Zimbra: special folders by name, Chats and Emailed Contacts copied as they are', () => {
    assert.deepEqual(table(map(fixture('zimbra'))), [
      'Chats -> Chats',
      'Contacts -> Contacts',
      'Drafts -> Drafts',
      'Emailed Contacts -> Emailed Contacts',
      'INBOX -> INBOX',
      'Junk -> Junk',
      'Sent -> Sent',
      'Trash -> Trash',
    ]);
  });

  it('Polish host: Polish names, the fuller of two Sent folders wins, subfolders follow', () => {
    const decisions = map(fixture('polish-host'));
    assert.deepEqual(table(decisions), [
      'INBOX -> INBOX',
      'INBOX.Wysłane -> Sent',
      'INBOX.Wysłane.2023 -> Sent/2023',
      'INBOX.Elementy wysłane -> Elementy wysłane',
      'INBOX.Kosz -> Trash',
      'INBOX.Elementy usunięte -> Elementy usunięte',
      'INBOX.Robocze -> Drafts',
      'INBOX.SPAM -> Junk',
      'INBOX.Archiwum -> Archive',
      'INBOX.Archiwum.2022 -> Archive/2022',
      'INBOX.Klienci skip not-selectable',
      'INBOX.Klienci.Kosz -> Klienci/Kosz',
      'INBOX.Faktury -> Faktury',
      'INBOX.Faktury.2024 -> Faktury/2024',
    ]);
    assert.equal(copyOf(decisions, 'INBOX.Wysłane.2023').reason, 'follows-parent');
    assert.equal(copyOf(decisions, 'INBOX.Klienci.Kosz').reason, 'same-name');
    assert.equal(copyOf(decisions, 'INBOX.Kosz').exists, true);
    assert.equal(copyOf(decisions, 'INBOX.Faktury').exists, false);
  });

  it('every fixture gives one decision per source folder, in source order', () => {
    for (const name of [
      'gmail',
      'googlemail',
      'microsoft365',
      'cpanel-dovecot',
      'courier',
      'zimbra',
      'polish-host',
    ]) {
      const source = fixture(name);
      assert.deepEqual(
        map(source).map((d) => d.source),
        source.folders.map((f) => f.path),
        name,
      );
    }
  });
});

describe('logical names and namespace prefixes', () => {
  const dot = { prefix: 'INBOX.', delimiter: '.' };
  const slash = { prefix: '', delimiter: '/' };

  it('strips the INBOX. prefix and turns the delimiter into /', () => {
    assert.equal(toLogical('INBOX.Faktury.2024', dot), 'Faktury/2024');
    assert.equal(toLogical('INBOX', dot), 'INBOX');
    assert.equal(toLogical('inbox', dot), 'INBOX');
    assert.equal(toLogical('Inbox.Faktury', dot), 'Faktury');
    assert.equal(toLogical('INBOX/Projekty', slash), 'INBOX/Projekty');
  });

  it('applies the prefix on the way back, but never to INBOX or its subfolders', () => {
    assert.equal(fromLogical('Faktury/2024', dot), 'INBOX.Faktury.2024');
    assert.equal(fromLogical('INBOX', dot), 'INBOX');
    assert.equal(fromLogical('INBOX/Projekty', dot), 'INBOX.Projekty');
    assert.equal(fromLogical('Faktury/2024', slash), 'Faktury/2024');
  });

  it('source with INBOX. prefix to a destination without one', () => {
    assert.deepEqual(table(map(dotSide(['INBOX', 'INBOX.Faktury', 'INBOX.Faktury.2024']))), [
      'INBOX -> INBOX',
      'INBOX.Faktury -> Faktury',
      'INBOX.Faktury.2024 -> Faktury/2024',
    ]);
  });

  it('source without prefix to a destination with INBOX. prefix and no special use', () => {
    const destination = dotSide(['INBOX', 'INBOX.Sent', 'INBOX.Trash', 'INBOX.Drafts', 'INBOX.spam']);
    const decisions = map(fixture('gmail'), {}, destination);
    assert.deepEqual(
      table(decisions).filter((line) => !line.includes(' skip ')),
      [
        'INBOX -> INBOX',
        '[Gmail]/Drafts -> INBOX.Drafts',
        '[Gmail]/Sent Mail -> INBOX.Sent',
        '[Gmail]/Spam -> INBOX.spam',
        '[Gmail]/Trash -> INBOX.Trash',
      ],
    );
    assert.equal(copyOf(decisions, '[Gmail]/Spam').reason, 'special-use');
    assert.equal(copyOf(decisions, '[Gmail]/Spam').exists, true);
  });

  it('INBOX subfolders of a / server land under INBOX on an INBOX. server, never INBOX.INBOX', () => {
    const decisions = map(slashSide(['INBOX', 'INBOX/Projekty', 'Faktury/2024']), {}, dotSide(['INBOX']));
    assert.deepEqual(table(decisions), [
      'INBOX -> INBOX',
      'INBOX/Projekty -> INBOX.Projekty',
      'Faktury/2024 -> INBOX.Faktury.2024',
    ]);
  });
});

describe('delimiters inside folder names', () => {
  it('"a.b" from a / server becomes "a_b" on a . server, with a warning', () => {
    const decisions = map(slashSide(['Oferta 1.2', 'Oferta 1.2/v2.0']), {}, dotSide(['INBOX']));
    assert.deepEqual(table(decisions), [
      'Oferta 1.2 -> INBOX.Oferta 1_2',
      'Oferta 1.2/v2.0 -> INBOX.Oferta 1_2.v2_0',
    ]);
    assert.match(copyOf(decisions, 'Oferta 1.2').warnings.join('\n'), /"Oferta 1\.2" contains "\."/);
  });

  it('a level "a/b" from a . server becomes "a_b" on a / server, not two levels', () => {
    const decisions = map(dotSide(['INBOX.Umowy 2023/2024', 'INBOX.Umowy 2023/2024.Aneksy']));
    assert.deepEqual(table(decisions), [
      'INBOX.Umowy 2023/2024 -> Umowy 2023_2024',
      'INBOX.Umowy 2023/2024.Aneksy -> Umowy 2023_2024/Aneksy',
    ]);
    assert.equal(copyOf(decisions, 'INBOX.Umowy 2023/2024').warnings.length, 1);
  });

  it('a name without the destination delimiter gets no warning', () => {
    assert.deepEqual(copyOf(map(dotSide(['INBOX.Faktury'])), 'INBOX.Faktury').warnings, []);
  });
});

describe('Unicode normalization', () => {
  const nfd = 'Entwu\u0308rfe';

  it('a decomposed (NFD) localized name is still recognized', () => {
    assert.notEqual(nfd, 'Entwürfe');
    const decision = copyOf(map(slashSide([nfd])), nfd);
    assert.equal(decision.destination, 'Drafts');
    assert.equal(decision.reason, 'localized-name');
  });

  it('an NFD name matches the same NFC folder on the destination and is written as NFC', () => {
    const source = 'Zamo\u0301wienia';
    const decision = copyOf(map(slashSide([source]), {}, slashSide(['INBOX', 'Zamówienia'])), source);
    assert.equal(decision.destination, 'Zamówienia');
    assert.equal(decision.exists, true);
  });

  it('NFD and NFC spellings of one name are two source folders, not one', () => {
    const decisions = map(slashSide(['Zamówienia', 'Zamo\u0301wienia']));
    assert.deepEqual(table(decisions), ['Zamówienia -> Zamówienia', 'Zamo\u0301wienia -> Zamówienia (2)']);
  });

  it('plan rules written in NFD match NFC folder names', () => {
    const decision = copyOf(
      map(slashSide(['Zamówienia']), { map: { 'Zamo\u0301wienia': 'Orders' } }),
      'Zamówienia',
    );
    assert.equal(decision.destination, 'Orders');
  });
});

describe('collisions', () => {
  it('Sent and Wysłane without special use: the one named like the target keeps it, the other its name', () => {
    const decisions = map(
      slashSide([folder('Sent', '/', { messages: 5 }), folder('Wysłane', '/', { messages: 500 })]),
    );
    assert.deepEqual(table(decisions), ['Sent -> Sent', 'Wysłane -> Wysłane']);
    assert.equal(copyOf(decisions, 'Sent').specialUse, '\\Sent');
    assert.equal(copyOf(decisions, 'Wysłane').specialUse, undefined);
    assert.match(copyOf(decisions, 'Wysłane').warnings.join('\n'), /"Sent" takes that role/);
  });

  it('between two localized names, the one with more messages takes the special folder', () => {
    const decisions = map(
      slashSide([
        folder('Wysłane', '/', { messages: 10 }),
        folder('Elementy wysłane', '/', { messages: 100 }),
      ]),
    );
    assert.deepEqual(table(decisions), ['Wysłane -> Wysłane', 'Elementy wysłane -> Sent']);
  });

  it('an announced special use beats a localized name, whatever the counts', () => {
    const decisions = map(
      slashSide([
        folder('Wysłane', '/', { messages: 1000 }),
        folder('Sent Items', '/', { specialUse: '\\Sent', flags: ['\\Sent'], messages: 1 }),
      ]),
    );
    assert.deepEqual(table(decisions), ['Wysłane -> Wysłane', 'Sent Items -> Sent']);
    assert.equal(copyOf(decisions, 'Sent Items').reason, 'special-use');
  });

  it('the special folder is kept for its owner even when an ordinary folder is listed first', () => {
    const decisions = map(
      slashSide([
        folder('Trash', '/'),
        folder('Deleted Items', '/', { specialUse: '\\Trash', flags: ['\\Trash'] }),
      ]),
    );
    assert.deepEqual(table(decisions), ['Trash -> Trash (2)', 'Deleted Items -> Trash']);
  });

  it('folders differing only in case collide on a case-insensitive destination', () => {
    const source = slashSide(['Faktury', 'faktury']);
    assert.deepEqual(table(map(source, {}, slashSide(['INBOX'], true))), [
      'Faktury -> Faktury',
      'faktury -> faktury (2)',
    ]);
    assert.deepEqual(table(map(source, {}, slashSide(['INBOX'], false))), [
      'Faktury -> Faktury',
      'faktury -> faktury',
    ]);
  });

  it('the free name skips names already taken on the destination', () => {
    const decisions = map(slashSide(['Faktury', 'faktury']), {}, slashSide(['INBOX', 'faktury (2)'], true));
    assert.deepEqual(table(decisions), ['Faktury -> Faktury', 'faktury -> faktury (3)']);
  });

  it('two folders renamed onto one name are not merged', () => {
    const decisions = map(slashSide(['Stare 2019', 'Stare 2020']), {
      rename: [{ from: '^Stare \\d+$', to: 'Stare' }],
    });
    assert.deepEqual(table(decisions), ['Stare 2019 -> Stare', 'Stare 2020 -> Stare (2)']);
    assert.match(
      copyOf(decisions, 'Stare 2020').warnings.join('\n'),
      /already the destination of "Stare 2019"/,
    );
  });

  it('a merge asked for by map is done, with a warning on both folders', () => {
    const decisions = map(slashSide(['Sent', 'Wysłane']), { map: { Wysłane: 'Sent' } });
    assert.deepEqual(table(decisions), ['Sent -> Sent', 'Wysłane -> Sent']);
    assert.match(copyOf(decisions, 'Sent').warnings.join('\n'), /merged with "Wysłane"/);
    assert.match(copyOf(decisions, 'Wysłane').warnings.join('\n'), /merged with "Sent"/);
  });

  it('a folder that already exists on the destination is a merge into it, marked exists', () => {
    const decision = copyOf(map(slashSide(['Faktury'])), 'Faktury');
    assert.equal(decision.exists, false);
    assert.equal(
      copyOf(map(slashSide(['Faktury']), {}, slashSide(['INBOX', 'Faktury'])), 'Faktury').exists,
      true,
    );
  });
});

describe('subfolders of special folders', () => {
  it('follow their parent into the destination special folder', () => {
    const decisions = map(
      slashSide(['Wysłane', 'Wysłane/2023', 'Wysłane/2023/Q1', 'Kosz', 'Klienci', 'Klienci/Kosz']),
    );
    assert.deepEqual(table(decisions), [
      'Wysłane -> Sent',
      'Wysłane/2023 -> Sent/2023',
      'Wysłane/2023/Q1 -> Sent/2023/Q1',
      'Kosz -> Trash',
      'Klienci -> Klienci',
      'Klienci/Kosz -> Klienci/Kosz',
    ]);
  });

  it('listed before their parent, they still follow it', () => {
    assert.deepEqual(table(map(slashSide(['Wysłane/2023', 'Wysłane']))), [
      'Wysłane/2023 -> Sent/2023',
      'Wysłane -> Sent',
    ]);
  });

  it('of a folder that lost the special role, they stay with it', () => {
    const decisions = map(slashSide(['Sent', 'Wysłane', 'Wysłane/2022']));
    assert.deepEqual(table(decisions), [
      'Sent -> Sent',
      'Wysłane -> Wysłane',
      'Wysłane/2022 -> Wysłane/2022',
    ]);
  });
});

describe('overrides and their precedence', () => {
  const source = slashSide([
    'INBOX',
    'Wysłane',
    'Stare',
    'Stare/2019',
    'Archiwum',
    'Archiwum/2020',
    'Klienci/Alfa/2024',
  ]);

  it('exclude skips by glob: * stays within a level, ** crosses levels', () => {
    const decisions = map(source, { exclude: ['Archiwum/**', 'Klienci/*'] });
    assert.deepEqual(table(decisions), [
      'INBOX -> INBOX',
      'Wysłane -> Sent',
      'Stare -> Stare',
      'Stare/2019 -> Stare/2019',
      'Archiwum -> Archive',
      'Archiwum/2020 skip excluded',
      'Klienci/Alfa/2024 -> Klienci/Alfa/2024',
    ]);
  });

  it('globs: **/ also matches top level, case matters, other characters are literal', () => {
    assert.ok(globToRegExp('**/Kosz').test('Kosz'));
    assert.ok(globToRegExp('**/Kosz').test('Klienci/Alfa/Kosz'));
    assert.ok(!globToRegExp('**/Kosz').test('Klienci/Koszty'));
    assert.ok(!globToRegExp('kosz').test('Kosz'));
    assert.ok(globToRegExp('[Gmail]/*').test('[Gmail]/All Mail'));
    assert.ok(!globToRegExp('[Gmail]/*').test('G/All Mail'));
    assert.ok(!globToRegExp('a.b').test('axb'));
  });

  it('exclude beats map', () => {
    const decisions = map(source, { exclude: ['Stare'], map: { Stare: 'Old' } });
    assert.equal(decisions.find((d) => d.source === 'Stare')?.action, 'skip');
  });

  it('map beats rename, and the mapped folder takes its subfolders along', () => {
    const decisions = map(source, {
      map: { Stare: 'Old/Stare' },
      rename: [{ from: '^Stare$', to: 'Renamed' }],
    });
    assert.equal(copyOf(decisions, 'Stare').destination, 'Old/Stare');
    assert.equal(copyOf(decisions, 'Stare').reason, 'override-map');
    assert.equal(copyOf(decisions, 'Stare/2019').destination, 'Old/Stare/2019');
    assert.equal(copyOf(decisions, 'Stare/2019').reason, 'override-map');
  });

  it('rename beats special use and localized names', () => {
    const decisions = map(
      slashSide(['Wysłane', folder('Sent Items', '/', { specialUse: '\\Sent', flags: ['\\Sent'] })]),
      { rename: [{ from: '^Sent Items$', to: 'Outlook/Sent Items' }] },
    );
    assert.deepEqual(table(decisions), ['Wysłane -> Sent', 'Sent Items -> Outlook/Sent Items']);
    assert.equal(copyOf(decisions, 'Sent Items').reason, 'override-rename');
    assert.equal(copyOf(decisions, 'Wysłane').reason, 'localized-name');
  });

  it('rename: the first matching rule wins and $1 works', () => {
    const decisions = map(slashSide(['Projekt-Alfa', 'Projekt-Beta']), {
      rename: [
        { from: '^Projekt-(Alfa)$', to: 'Projekty/$1' },
        { from: '^Projekt-(.*)$', to: 'Inne/$1' },
      ],
    });
    assert.deepEqual(table(decisions), ['Projekt-Alfa -> Projekty/Alfa', 'Projekt-Beta -> Inne/Beta']);
  });

  it('special use beats a localized name, which beats the same name', () => {
    const decisions = map(
      slashSide([folder('Kosz', '/'), folder('Papierkorb', '/', { specialUse: '\\Trash' })]),
    );
    assert.deepEqual(table(decisions), ['Kosz -> Kosz', 'Papierkorb -> Trash']);
    assert.equal(copyOf(map(slashSide(['Kosz'])), 'Kosz').destination, 'Trash');
  });

  it('a bad rename regex is a plan error', () => {
    assert.throws(
      () => map(source, { rename: [{ from: '(unclosed', to: 'x' }] }),
      (err: unknown) => err instanceof MailshiftError && err.code === 'PLAN_BAD_RENAME',
    );
  });
});

describe('folders skipped by default', () => {
  it('include brings back a virtual folder, which keeps its name when the destination has no such view', () => {
    const decisions = map(fixture('gmail'), { include: ['[Gmail]/All Mail'] });
    const allMail = copyOf(decisions, '[Gmail]/All Mail');
    assert.equal(allMail.destination, '[Gmail]/All Mail');
    assert.equal(allMail.reason, 'same-name');
    assert.equal(decisions.find((d) => d.source === '[Gmail]/Starred')?.action, 'skip');
  });

  it('include brings back an Outlook Sync Issues subfolder', () => {
    const decisions = map(fixture('microsoft365'), { include: ['Sync Issues/Conflicts'] });
    assert.equal(copyOf(decisions, 'Sync Issues/Conflicts').destination, 'Sync Issues/Conflicts');
    assert.equal(decisions.find((d) => d.source === 'Sync Issues/Local Failures')?.action, 'skip');
  });

  it('a map entry for a skipped folder counts as including it', () => {
    assert.equal(
      copyOf(map(fixture('gmail'), { map: { '[Gmail]/Starred': 'Z gwiazdka' } }), '[Gmail]/Starred')
        .destination,
      'Z gwiazdka',
    );
  });

  it('include cannot bring back a \\Noselect folder: it has no messages to copy', () => {
    const container = map(fixture('gmail'), { include: ['[Gmail]'] }).find((d) => d.source === '[Gmail]');
    assert.equal(container?.action === 'skip' && container.reason, 'not-selectable');
  });

  it('\\Flagged and \\Important views are skipped wherever they are, not only inside [Gmail]', () => {
    const decisions = map(
      slashSide([
        folder('Starred', '/', { flags: ['\\Flagged'], specialUse: '\\Flagged' }),
        folder('Ważne', '/', { flags: ['\\HasNoChildren', '\\Important'] }),
        'Oznaczone',
      ]),
    );
    assert.deepEqual(table(decisions), [
      'Starred skip virtual',
      'Ważne skip virtual',
      'Oznaczone -> Oznaczone',
    ]);
  });

  it('old Gmail accounts without attributes: the virtual folders are known by name', () => {
    const decisions = map(
      slashSide([
        folder('[Gmail]', '/', { flags: ['\\Noselect', '\\HasChildren'] }),
        '[Gmail]/All Mail',
        '[Gmail]/Starred',
        '[Gmail]/Sent Mail',
        'All Mail',
      ]),
    );
    assert.deepEqual(table(decisions), [
      '[Gmail] skip not-selectable',
      '[Gmail]/All Mail skip virtual',
      '[Gmail]/Starred skip virtual',
      '[Gmail]/Sent Mail -> Sent',
      'All Mail -> All Mail',
    ]);
    assert.equal(copyOf(decisions, '[Gmail]/Sent Mail').reason, 'localized-name');
  });
});

describe('under', () => {
  const source = slashSide([
    'INBOX',
    'INBOX/Projekty',
    'Faktury',
    'Faktury/2024',
    'Wysłane',
    'Wysłane/2023',
    'Stare',
    'Tmp',
  ]);
  const rules: MappingRules = {
    under: 'Stara poczta',
    map: { Stare: 'Archiwum/Stare' },
    rename: [{ from: '^Tmp$', to: 'Robocze-tmp' }],
  };

  it('prefixes ordinary and renamed folders, not INBOX, special folders, their subfolders or map targets', () => {
    assert.deepEqual(table(map(source, rules)), [
      'INBOX -> INBOX',
      'INBOX/Projekty -> INBOX/Projekty',
      'Faktury -> Stara poczta/Faktury',
      'Faktury/2024 -> Stara poczta/Faktury/2024',
      'Wysłane -> Sent',
      'Wysłane/2023 -> Sent/2023',
      'Stare -> Archiwum/Stare',
      'Tmp -> Stara poczta/Robocze-tmp',
    ]);
  });

  it('leaves INBOX subfolders alone even when INBOX itself is not listed, and renames into INBOX', () => {
    const decisions = map(slashSide(['INBOX/Projekty', 'Tmp']), {
      under: 'Stara poczta',
      rename: [{ from: '^Tmp$', to: 'INBOX/Tmp' }],
    });
    assert.deepEqual(table(decisions), ['INBOX/Projekty -> INBOX/Projekty', 'Tmp -> INBOX/Tmp']);
  });

  it('goes through the destination prefix and delimiter', () => {
    assert.deepEqual(table(map(slashSide(['Faktury/2024']), { under: 'Stara poczta' }, dotSide(['INBOX']))), [
      'Faktury/2024 -> INBOX.Stara poczta.Faktury.2024',
    ]);
  });
});

describe('localized name table', () => {
  it('knows the names clients and servers really use', () => {
    const expected: Record<string, SpecialUse> = {
      Wysłane: '\\Sent',
      'Elementy wysłane': '\\Sent',
      'Sent Items': '\\Sent',
      'Sent Messages': '\\Sent',
      'Sent Mail': '\\Sent',
      'Gesendete Elemente': '\\Sent',
      Gesendet: '\\Sent',
      'Éléments envoyés': '\\Sent',
      Enviados: '\\Sent',
      'Posta inviata': '\\Sent',
      'Verzonden items': '\\Sent',
      'Odeslaná pošta': '\\Sent',
      Отправленные: '\\Sent',
      Kosz: '\\Trash',
      'Elementy usunięte': '\\Trash',
      'Deleted Items': '\\Trash',
      'Deleted Messages': '\\Trash',
      Papierkorb: '\\Trash',
      'Gelöschte Elemente': '\\Trash',
      Корзина: '\\Trash',
      Spam: '\\Junk',
      Junk: '\\Junk',
      'Junk E-mail': '\\Junk',
      'Wiadomości-śmieci': '\\Junk',
      Спам: '\\Junk',
      Robocze: '\\Drafts',
      Szkice: '\\Drafts',
      'Wersje robocze': '\\Drafts',
      Entwürfe: '\\Drafts',
      Brouillons: '\\Drafts',
      Borradores: '\\Drafts',
      Bozze: '\\Drafts',
      Concepten: '\\Drafts',
      Koncepty: '\\Drafts',
      Черновики: '\\Drafts',
      Archiwum: '\\Archive',
      Archive: '\\Archive',
      Archiv: '\\Archive',
      Archives: '\\Archive',
    };
    for (const [name, use] of Object.entries(expected)) assert.equal(specialUseOfName(name), use, name);
  });

  it('compares case-insensitively after NFC, and knows no ordinary names', () => {
    assert.equal(specialUseOfName('WYSŁANE'), '\\Sent');
    assert.equal(specialUseOfName('SPAM'), '\\Junk');
    assert.equal(specialUseOfName('Gelo\u0308schte Elemente'), '\\Trash');
    for (const ordinary of ['Outbox', 'All Mail', 'Faktury', 'Klienci', 'Sent 2019']) {
      assert.equal(specialUseOfName(ordinary), undefined, ordinary);
    }
  });

  it('gives every name a single special use', () => {
    const seen = new Map<string, string>();
    for (const [use, names] of Object.entries(LOCALIZED_NAMES)) {
      for (const name of names) {
        const key = nameKey(name);
        assert.ok(!seen.has(key) || seen.get(key) === use, `${name} is both ${seen.get(key)} and ${use}`);
        seen.set(key, use);
      }
    }
  });
});
