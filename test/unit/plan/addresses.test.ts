/**
 * Where every address of the domain lands after the move: accounts, aliases followed through
 * aliases, outside forwards, and the ones that would lose mail (no target, a loop).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveAddresses } from '../../../src/plan/addresses.js';

const accounts = [
  { source: 'kontakt@acme.example', destination: 'kontakt@acme.example' },
  { source: 'jan@old-acme.example', destination: 'jan.kowalski@acme.example' },
];

describe('resolveAddresses', () => {
  it('follows every address to a mailbox of the plan or outside, and flags the lost ones', () => {
    const rows = resolveAddresses(
      [
        { address: 'kontakt@acme.example', kind: 'mailbox' },
        { address: 'Biuro@ACME.example', kind: 'alias', target: 'kontakt@acme.example' },
        { address: 'oferty@acme.example', kind: 'alias', target: 'biuro@acme.example' },
        { address: 'jan@old-acme.example', kind: 'mailbox' },
        { address: 'prezes@acme.example', kind: 'forward', target: 'prezes@gmail.example' },
        { address: 'faktury@acme.example', kind: 'alias' },
        { address: 'kasia@acme.example', kind: 'mailbox' },
        { address: 'stary@acme.example', kind: 'alias', target: 'nikt@acme.example' },
        { address: 'a@acme.example', kind: 'alias', target: 'b@acme.example' },
        { address: 'b@acme.example', kind: 'alias', target: 'a@acme.example' },
      ],
      accounts,
    );
    assert.deepEqual(
      rows.map((r) => `${r.address} ${r.status} ${r.delivers ?? '-'}`),
      [
        'kontakt@acme.example account kontakt@acme.example',
        'Biuro@ACME.example account kontakt@acme.example',
        'oferty@acme.example account kontakt@acme.example',
        'jan@old-acme.example account jan.kowalski@acme.example',
        'prezes@acme.example external prezes@gmail.example',
        'faktury@acme.example unmapped -',
        'kasia@acme.example unmapped -',
        'stary@acme.example unknown-target nikt@acme.example',
        'a@acme.example loop -',
        'b@acme.example loop -',
      ],
    );
    assert.ok(rows.every((r) => r.listed));
  });

  it('adds the accounts the list forgot, as mailboxes of the plan', () => {
    const rows = resolveAddresses([{ address: 'kontakt@acme.example', kind: 'mailbox' }], accounts);
    assert.deepEqual(
      rows.filter((r) => !r.listed).map((r) => `${r.address} -> ${r.delivers}`),
      ['jan@old-acme.example -> jan.kowalski@acme.example'],
    );
    assert.equal(resolveAddresses([], accounts).length, 2);
  });
});
