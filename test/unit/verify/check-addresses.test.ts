/**
 * Every address of the plan needs a destination: its target, or a mailbox of the plan.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAddresses } from '../../../src/verify/check-addresses.js';

describe('checkAddresses', () => {
  const accounts = [
    { source: 'jan@old.example', destination: 'jan@new.example' },
    { source: 'biuro@acme.example', destination: 'biuro@acme.example' },
  ];

  it('finds the mailbox by destination or source login, in any case, or takes the target', () => {
    const out = checkAddresses(
      [
        { address: 'Biuro@ACME.example', kind: 'mailbox' },
        { address: 'jan@old.example', kind: 'mailbox' },
        { address: 'info@acme.example', kind: 'alias', target: 'biuro@acme.example' },
        { address: 'ksiegowa@acme.example', kind: 'forward', target: 'biuro@rachunkowe.example' },
      ],
      accounts,
    );
    assert.deepEqual(
      out.map((a) => a.destination),
      ['biuro@acme.example', 'jan@new.example', 'biuro@acme.example', 'biuro@rachunkowe.example'],
    );
  });

  it('gives null to an address with neither', () => {
    const out = checkAddresses([{ address: 'faktury@acme.example', kind: 'alias' }], accounts);
    assert.deepEqual(out, [{ address: 'faktury@acme.example', kind: 'alias', destination: null }]);
  });

  it('follows an alias to an alias to a mailbox, and gives null to an alias loop', () => {
    const out = checkAddresses(
      [
        { address: 'sklep@acme.example', kind: 'alias', target: 'info@acme.example' },
        { address: 'info@acme.example', kind: 'alias', target: 'biuro@acme.example' },
        { address: 'a@acme.example', kind: 'alias', target: 'b@acme.example' },
        { address: 'b@acme.example', kind: 'alias', target: 'a@acme.example' },
      ],
      accounts,
    );
    assert.deepEqual(
      out.map((a) => a.destination),
      ['biuro@acme.example', 'biuro@acme.example', null, null],
    );
  });
});
