/**
 * Multiset matching of message identities: recognises source messages already on the
 * destination (an earlier tool, a crash between APPEND and commit, a UIDVALIDITY change) without
 * ever matching one destination message twice. Two copies of an exact duplicate need two
 * destination copies.
 */

/** A destination message that no state row claims yet. */
export interface Candidate {
  uid: number;
  identity: string;
}

/** Pool of unclaimed destination messages by identity. */
export class IdentityPool {
  private readonly byIdentity = new Map<string, number[]>();

  constructor(candidates: Candidate[]) {
    for (const c of [...candidates].sort((a, b) => a.uid - b.uid)) {
      const list = this.byIdentity.get(c.identity) ?? [];
      list.push(c.uid);
      this.byIdentity.set(c.identity, list);
    }
  }

  /** Takes the lowest unclaimed destination UID with this identity, or undefined. */
  take(identity: string): number | undefined {
    const list = this.byIdentity.get(identity);
    return list && list.length > 0 ? list.shift() : undefined;
  }

  /** Unclaimed candidates left. */
  get size(): number {
    let n = 0;
    for (const l of this.byIdentity.values()) n += l.length;
    return n;
  }
}
