/**
 * Where every address of the domain goes after the move. The plan may list every address
 * (mailboxes, aliases, forwards); each must end at a destination mailbox of the plan or at an
 * outside address, or mail sent to it is lost when the MX records switch. Pure.
 */

/** One address of the domain and where its mail goes after the move. */
export interface AddressRow {
  address: string;
  kind: 'mailbox' | 'alias' | 'forward';
  /** The target as written in the plan. */
  target?: string;
  /** Where mail finally lands: a destination user of the plan, or an outside address. */
  delivers?: string;
  status: 'account' | 'external' | 'unmapped' | 'unknown-target' | 'loop';
  /** Listed in the plan's `addresses`, or only known as an account of the plan. */
  listed: boolean;
}

/** An entry of the plan's `addresses`. */
export interface PlanAddress {
  address: string;
  kind: 'mailbox' | 'alias' | 'forward';
  target?: string;
}

/** The users of one account on both sides. */
export interface AccountUsers {
  source: string;
  destination: string;
}

const norm = (a: string) => a.trim().toLowerCase();
const domainOf = (a: string) => norm(a).split('@')[1] ?? '';

/**
 * Resolves every address to where its mail lands, following aliases to aliases.
 * Accounts of the plan that `addresses` does not list are added as mailboxes (`listed: false`).
 * @returns one row per address, listed ones first in plan order.
 */
export function resolveAddresses(addresses: PlanAddress[], accounts: AccountUsers[]): AddressRow[] {
  // A mailbox address is the source login or the destination login of an account.
  const mailboxOf = new Map<string, string>();
  for (const a of accounts) {
    mailboxOf.set(norm(a.source), a.destination);
    mailboxOf.set(norm(a.destination), a.destination);
  }
  const listed = new Map(addresses.map((a) => [norm(a.address), a]));
  const internal = new Set([...accounts.flatMap((a) => [domainOf(a.source), domainOf(a.destination)])]);
  for (const a of addresses) internal.add(domainOf(a.address));

  const resolve = (entry: PlanAddress): Pick<AddressRow, 'delivers' | 'status'> => {
    const seen = new Set<string>();
    let current: PlanAddress | undefined = entry;
    let next: string | undefined;
    while (current) {
      const key = norm(current.address);
      if (seen.has(key)) return { status: 'loop' };
      seen.add(key);
      next = current.target;
      if (next === undefined) {
        const own = current.kind === 'mailbox' ? mailboxOf.get(key) : undefined;
        return own ? { delivers: own, status: 'account' } : { status: 'unmapped' };
      }
      const mailbox = mailboxOf.get(norm(next));
      if (mailbox) return { delivers: mailbox, status: 'account' };
      current = listed.get(norm(next));
    }
    if (next === undefined) return { status: 'unmapped' };
    return internal.has(domainOf(next))
      ? { delivers: next, status: 'unknown-target' }
      : { delivers: next, status: 'external' };
  };

  const rows: AddressRow[] = addresses.map((a) => ({
    address: a.address,
    kind: a.kind,
    ...(a.target !== undefined ? { target: a.target } : {}),
    ...resolve(a),
    listed: true,
  }));
  for (const acc of accounts) {
    if (listed.has(norm(acc.source)) || listed.has(norm(acc.destination))) continue;
    rows.push({
      address: acc.source,
      kind: 'mailbox',
      delivers: acc.destination,
      status: 'account',
      listed: false,
    });
  }
  return rows;
}
