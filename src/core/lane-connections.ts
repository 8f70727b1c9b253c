/**
 * The connections one lane of an account holds (a copy lane: source control, body reader,
 * destination control, appender; a verify lane: a reader per side), opened together and closed
 * together. Each login is several round trips, so the missing ones are opened at the same time.
 */

/** Anything a lane holds open. */
export interface Closable {
  close(): Promise<void>;
}

/** A lane's connections by name. */
export type Connections<C> = { [K in keyof C]: Closable };

/**
 * How to open each of a lane's connections: one own enumerable function per connection (an
 * object literal), each opening a new connection.
 */
export type LaneConnectors<C> = { [K in keyof C]: () => Promise<C[K]> };

/**
 * Opens the connections of `connect` that `have` lacks, all at once.
 * @returns the connections `connect` names, those of `have` included
 * @throws the first failure, after closing what this call opened (`have` stays open)
 */
export async function openLane<C extends Connections<C>>(
  connect: LaneConnectors<C>,
  have: Partial<C>,
): Promise<C> {
  const names = Object.keys(connect) as (keyof C)[];
  const results = await Promise.allSettled(names.map((k) => have[k] ?? connect[k]()));
  const lane: Partial<C> = {};
  const opened: Partial<C> = {};
  let failure: PromiseRejectedResult | undefined;
  results.forEach((r, i) => {
    const name = names[i]!;
    if (r.status === 'rejected') failure ??= r;
    else {
      lane[name] = r.value as C[keyof C];
      if (have[name] === undefined) opened[name] = lane[name];
    }
  });
  if (failure) {
    await closeLane(opened);
    throw failure.reason;
  }
  return lane as C;
}

/** Closes whatever of a lane's connections is open; never rejects. */
export async function closeLane<C extends Connections<C>>(conns: Partial<C>): Promise<void> {
  await Promise.allSettled(Object.values<Closable | undefined>(conns).map((c) => c?.close()));
}
