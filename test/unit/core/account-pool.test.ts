/**
 * The account worker pool with fake connections (no servers): retries and their reset on
 * progress, a lane taken away by a throttling server, a job prepared ahead handed back to another
 * lane, the account stopped by its first account-wide failure, and every connection closed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccountPool } from '../../../src/core/account-pool.js';
import { MailshiftError, StoreError } from '../../../src/core/errors.js';

/** A fake connection: knows its side, its number and whether it was closed. */
class Conn {
  closed = false;
  constructor(
    readonly side: string,
    readonly n: number,
  ) {}
  async close(): Promise<void> {
    this.closed = true;
  }
}

type Conns = { source: Conn; destination: Conn };
type Job = string;

/** A pool over fake connections; `opened` lists every connection it was given. */
function fakePool(
  lanes: number,
  attempts = 2,
  failOpen: (side: string, n: number) => unknown = () => undefined,
  keep?: (keyof Conns)[],
) {
  const opened: Conn[] = [];
  const logs: { fields: Record<string, unknown>; message: string }[] = [];
  const open = (side: string) => async () => {
    const c = new Conn(side, opened.length + 1);
    const err = failOpen(side, c.n);
    if (err) throw err;
    opened.push(c);
    return c;
  };
  const pool = new AccountPool<Conns, Job, string>({
    account: 'acct',
    lanes,
    retry: { attempts, baseDelayMs: 1, maxDelayMs: 2 },
    signal: new AbortController().signal,
    connect: { source: open('source'), destination: open('destination') },
    log: { warn: (fields, message) => logs.push({ fields: fields as Record<string, unknown>, message }) },
    ...(keep ? { keep } : {}),
  });
  return { pool, opened, logs };
}

const lost = () => new StoreError('FETCH: the connection was lost', { kind: 'connection' });
const throttled = (waitMs?: number) =>
  new StoreError('NO [THROTTLED] slow down', { kind: 'throttled', ...(waitMs ? { waitMs } : {}) });

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('AccountPool', () => {
  it('does every job once over its lanes and closes every connection', async () => {
    const { pool, opened } = fakePool(3);
    const done: string[] = [];
    const lanesSeen = new Set<number>();
    await pool.run({
      jobs: ['a', 'b', 'c', 'd', 'e'],
      name: (j) => j,
      work: async (job, lane) => {
        lanesSeen.add(lane.conns.source.n);
        await tick();
        done.push(job);
      },
    });
    assert.deepEqual([...done].sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(lanesSeen.size, 3, 'three lanes worked');
    assert.equal(opened.length, 6, 'two connections per lane');
    assert.ok(opened.every((c) => c.closed));
    assert.deepEqual(pool.left, []);
  });

  it('opens no more lanes than there are jobs', async () => {
    const { pool, opened } = fakePool(4);
    await pool.run({ jobs: ['a'], name: (j) => j, work: async () => {} });
    assert.equal(opened.length, 2);
  });

  it('retries a lost connection on new connections, the old ones closed', async () => {
    const { pool, opened, logs } = fakePool(1);
    const seen: Conn[] = [];
    await pool.run({
      jobs: ['a'],
      name: (j) => j,
      work: async (_job, lane) => {
        seen.push(lane.conns.source);
        if (seen.length === 1) throw lost();
      },
    });
    assert.equal(seen.length, 2);
    assert.notEqual(seen[0], seen[1], 'the retry runs on a new connection');
    assert.equal(seen[0]!.closed, true, 'the failed connection is closed before the retry');
    assert.equal(opened.length, 4);
    assert.ok(opened.every((c) => c.closed));
    assert.equal(logs.filter((l) => l.message === 'retrying folder').length, 1);
    assert.equal(logs[0]!.fields.folder, 'a');
  });

  it('gives up after the policy attempts without progress, as an account-scope error', async () => {
    const { pool, opened } = fakePool(1, 2);
    let calls = 0;
    await assert.rejects(
      pool.run({
        jobs: ['a', 'b'],
        name: (j) => j,
        work: async () => {
          calls++;
          throw lost();
        },
      }),
      (err: unknown) =>
        err instanceof MailshiftError &&
        err.code === 'CONN_LOST' &&
        err.scope === 'account' &&
        /connection to the servers of acct kept failing/.test(err.message),
    );
    assert.equal(calls, 3, 'the first try and two retries');
    assert.deepEqual(pool.left, ['a', 'b'], 'the failed job and the one never started are left');
    assert.ok(opened.every((c) => c.closed));
  });

  it('starts the attempts afresh after progress', async () => {
    const { pool } = fakePool(1, 1);
    let calls = 0;
    await pool.run({
      jobs: ['a'],
      name: (j) => j,
      work: async (_job, lane) => {
        calls++;
        if (calls > 4) return;
        lane.progress(); // a batch committed, then the connection drops
        throw lost();
      },
    });
    assert.equal(calls, 5, 'four cuts with progress between them do not spend one attempt');
  });

  it('waits as long as a throttling server asks, and takes a lane away (never the last)', async () => {
    const { pool, logs } = fakePool(3);
    const throttles = new Set<string>();
    const done: string[] = [];
    await pool.run({
      jobs: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      name: (j) => j,
      work: async (job) => {
        await tick();
        if (['a', 'b', 'c'].includes(job) && !throttles.has(job)) {
          throttles.add(job);
          throw throttled(job === 'a' ? 7 : undefined);
        }
        done.push(job);
      },
    });
    assert.deepEqual(done.sort(), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const shed = logs.filter((l) => l.message === 'server asks to slow down: fewer connections');
    assert.deepEqual(
      shed.map((l) => l.fields.connections),
      [2, 1],
      'two lanes taken away, the third throttle keeps the last',
    );
    assert.equal(pool.lanes, 1);
    const waits = logs.filter((l) => l.message === 'retrying folder').map((l) => l.fields.delay);
    assert.ok(waits.includes(7), `waited as told: ${JSON.stringify(waits)}`);
  });

  it('uses a job prepared ahead on the connections that prepared it', async () => {
    const { pool } = fakePool(1);
    const given: (string | undefined)[] = [];
    await pool.run({
      jobs: ['a', 'b'],
      name: (j) => j,
      work: async (job, lane, prepared) => {
        given.push(prepared && (await prepared));
        lane.prepareNext(async (next) => `${next} prepared on ${lane.conns.source.n}`);
      },
    });
    assert.deepEqual(given, [undefined, 'b prepared on 1']);
  });

  it('prepares afresh after a reconnect, once the old preparation has ended', async () => {
    const { pool } = fakePool(1);
    const order: string[] = [];
    const prep = deferred<string>();
    let failed = false;
    await pool.run({
      jobs: ['a', 'b'],
      name: (j) => j,
      work: async (job, lane, prepared) => {
        if (job === 'a') {
          lane.prepareNext(() => prep.promise.finally(() => order.push('old preparation ended')));
          if (!failed) {
            failed = true;
            setTimeout(() => prep.resolve('stale'), 20);
            throw lost();
          }
          return;
        }
        order.push(`b given ${prepared === undefined ? 'nothing' : 'a preparation'}`);
      },
    });
    assert.deepEqual(order, ['old preparation ended', 'b given nothing']);
  });

  it('hands a job prepared ahead back when its lane is taken away, after its preparation ended', async () => {
    const { pool, opened } = fakePool(2);
    const prep = deferred<string>();
    const bMayEnd = deferred();
    const events: string[] = [];
    const doneBy = new Map<string, number>();
    let throttledOnce = false;
    await pool.run({
      jobs: ['a', 'b', 'c'],
      name: (j) => j,
      work: async (job, lane, prepared) => {
        if (job === 'b') {
          // Lane 1 takes 'c' ahead, then lane 0 is throttled: lane 1 is taken away.
          lane.prepareNext(() => prep.promise.finally(() => events.push('c preparation ended')));
          await bMayEnd.promise;
        }
        if (job === 'a' && !throttledOnce) {
          throttledOnce = true;
          await tick();
          setTimeout(() => bMayEnd.resolve(), 5);
          setTimeout(() => prep.resolve('c'), 30);
          throw throttled(1);
        }
        if (job === 'c') events.push(`c done ${prepared === undefined ? 'afresh' : 'as prepared'}`);
        doneBy.set(job, lane.conns.source.n);
      },
    });
    assert.equal(pool.lanes, 1);
    assert.deepEqual(events, ['c preparation ended', 'c done afresh']);
    assert.notEqual(doneBy.get('c'), doneBy.get('b'), 'another lane did it');
    assert.deepEqual(pool.left, []);
    assert.ok(opened.every((c) => c.closed));
  });

  it('stops every lane of the account at its first account-wide failure', async () => {
    const { pool, opened } = fakePool(2);
    const auth = new StoreError('login refused', { kind: 'auth' });
    const seen: string[] = [];
    await assert.rejects(
      pool.run({
        jobs: ['a', 'b', 'c', 'd'],
        name: (j) => j,
        work: async (job, lane) => {
          seen.push(job);
          if (job === 'a') {
            await tick();
            throw auth;
          }
          // The other lane works until the account stops, then ends its job.
          await new Promise((r) => lane.signal.addEventListener('abort', r, { once: true }));
        },
      }),
      (err: unknown) => err === auth,
    );
    assert.deepEqual(seen, ['a', 'b'], 'no lane takes another job once the account stopped');
    assert.deepEqual([...pool.left].sort(), ['a', 'c', 'd']);
    assert.equal(pool.signal.aborted, true);
    assert.ok(opened.every((c) => c.closed));
  });

  it('runs the setup on connections lane 0 then takes over, retried like a job', async () => {
    let refusals = 1;
    const { pool, opened, logs } = fakePool(1, 2, (side) =>
      side === 'source' && refusals-- > 0 ? lost() : undefined,
    );
    const listed = await pool.setup('listing folders', ['source'], async (c) => `listed on ${c.source.n}`);
    assert.equal(opened.length, 1, 'only the connection the setup needs');
    assert.equal(logs.filter((l) => l.message === 'retrying account setup').length, 1);
    let lane0: Conn | undefined;
    await pool.run({
      jobs: ['a'],
      name: (j) => j,
      work: async (_j, lane) => void (lane0 = lane.conns.source),
    });
    assert.equal(listed, `listed on ${lane0!.n}`, 'lane 0 took the setup connection over');
    assert.equal(opened.length, 2);
    assert.ok(opened.every((c) => c.closed));
  });

  it('closes the setup connections when there is nothing to do', async () => {
    const { pool, opened } = fakePool(2);
    await pool.setup('listing folders', ['source', 'destination'], async () => undefined);
    await pool.run({ jobs: [], name: (j) => j, work: async () => {} });
    await pool.close();
    assert.equal(opened.length, 2);
    assert.ok(opened.every((c) => c.closed));
  });

  it('keeps the destination of the first lane that ends cleanly for the caller, and closes the rest', async () => {
    const { pool, opened } = fakePool(2, 2, () => undefined, ['destination']);
    await pool.run({ jobs: ['a', 'b', 'c'], name: (j) => j, work: async () => void (await tick()) });
    const kept = pool.withdraw('destination');
    assert.ok(kept, 'a destination connection was kept');
    assert.equal(kept.closed, false);
    assert.deepEqual(
      opened.filter((c) => !c.closed),
      [kept],
      'every other connection closed',
    );
    assert.equal(pool.withdraw('destination'), undefined, 'withdrawn once');
    await kept.close();
  });

  it("does not hold up what follows the jobs for the last lanes' LOGOUT, but opens nothing before it ends", async () => {
    const { pool, opened } = fakePool(2);
    const logout = deferred();
    let closing = 0;
    const slowClose = (c: Conn) => {
      c.close = async () => {
        c.closed = true;
        closing++;
        await logout.promise;
        closing--;
      };
    };
    await pool.run({
      jobs: ['a', 'b'],
      name: (j) => j,
      work: async (_job, lane) => {
        slowClose(lane.conns.source);
        slowClose(lane.conns.destination);
        await tick();
      },
    });
    assert.equal(closing, 4, 'run resolved with both lanes still logging out');
    // A second run (a Gmail source's All Mail after its labels) waits for them before it connects.
    const second = pool.run({ jobs: ['c'], name: (j) => j, work: async () => {} });
    await tick();
    assert.equal(opened.length, 4, 'nothing opened while the lanes log out');
    logout.resolve();
    await second;
    assert.equal(opened.length, 6);
    await pool.close();
    assert.equal(closing, 0);
    assert.ok(opened.every((c) => c.closed));
  });

  it('waits in close() for the LOGOUTs run did not wait for', async () => {
    const { pool } = fakePool(1);
    const logout = deferred();
    let loggedOut = false;
    await pool.run({
      jobs: ['a'],
      name: (j) => j,
      work: async (_job, lane) => {
        lane.conns.source.close = async () => {
          await logout.promise;
          loggedOut = true;
        };
      },
    });
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await tick();
    assert.equal(closed, false);
    logout.resolve();
    await closing;
    assert.equal(loggedOut, true);
  });

  it('keeps nothing from a lane that failed, and closes what it kept when the caller does not take it', async () => {
    const failing = fakePool(1, 1, () => undefined, ['destination']);
    await assert.rejects(
      failing.pool.run({
        jobs: ['a'],
        name: (j) => j,
        work: async () => {
          throw new StoreError('login refused', { kind: 'auth' });
        },
      }),
    );
    assert.equal(failing.pool.withdraw('destination'), undefined);
    assert.ok(failing.opened.every((c) => c.closed));

    const unused = fakePool(1, 2, () => undefined, ['destination']);
    await unused.pool.run({ jobs: ['a'], name: (j) => j, work: async () => {} });
    await unused.pool.close();
    assert.ok(unused.opened.every((c) => c.closed));
  });
});
