/**
 * A lane's control connection (src/imap/control-switch.ts): mailshift's own connection until a
 * call needs imapflow, then imapflow for good, never both open at once (the plan's connection caps
 * count one control connection per side and lane), nothing opened before the first call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ASK_IMAPFLOW, ControlSwitch } from '../../../src/imap/control-switch.js';
import type { FolderControl } from '../../../src/imap/folder-control.js';

/** Fake connections that count how many are open at once. */
function fakes(opts: { ownFailsFirst?: boolean } = {}) {
  const log: string[] = [];
  let open = 0;
  let most = 0;
  let ownFailures = opts.ownFailsFirst ? 1 : 0;
  const opened = (name: string, caps: string) => {
    open++;
    most = Math.max(most, open);
    log.push(`open ${name}`);
    return {
      name,
      capabilities: new Set([caps]),
      close: async () => {
        open--;
        log.push(`close ${name}`);
      },
    };
  };
  const sw = new ControlSwitch(
    async () => {
      if (ownFailures-- > 0) throw new Error('login refused');
      return opened('own', 'OWN') as unknown as FolderControl;
    },
    async () => opened('flow', 'FLOW'),
  );
  const name = (c: unknown) => (c as { name: string }).name;
  return { sw, log, name, most: () => most, open: () => open };
}

describe('a lane control connection', () => {
  it('opens nothing before the first call, and knows no capabilities until then', async () => {
    const { sw, log } = fakes();
    assert.throws(() => sw.capabilities, /before it logged in/);
    await sw.close();
    assert.deepEqual(log, []);
  });

  it('answers on its own connection until a call needs imapflow, then on imapflow for good', async () => {
    const { sw, log, name, most, open } = fakes();
    assert.equal(
      await sw.run(
        async (c) => name(c),
        async (f) => f.name,
      ),
      'own',
    );
    assert.equal(
      await sw.run(
        async (c) => name(c),
        async (f) => f.name,
      ),
      'own',
    );
    assert.deepEqual([...sw.capabilities], ['OWN']);
    assert.equal(await sw.imapflow(async (f) => f.name), 'flow');
    assert.equal(
      await sw.run(
        async (c) => name(c),
        async (f) => f.name,
      ),
      'flow',
    );
    assert.deepEqual([...sw.capabilities], ['FLOW']);
    assert.deepEqual(log, ['open own', 'close own', 'open flow']);
    assert.equal(most(), 1, 'never two control connections at once');
    await sw.close();
    assert.equal(open(), 0);
  });

  it('asks imapflow when the own connection cannot answer, in the same call', async () => {
    const { sw, log } = fakes();
    const answer = await sw.run(
      async () => ASK_IMAPFLOW,
      async (f) => `listed by ${f.name}`,
    );
    assert.equal(answer, 'listed by flow');
    assert.deepEqual(log, ['open own', 'close own', 'open flow']);
  });

  it('runs calls one at a time, so that no own command is under way when it switches', async () => {
    const { sw } = fakes();
    const order: string[] = [];
    let release!: () => void;
    const slow = sw.run(
      async () => {
        order.push('own starts');
        await new Promise<void>((r) => (release = r));
        order.push('own ends');
        return 1;
      },
      async () => 0,
    );
    const switching = sw.imapflow(async () => void order.push('imapflow'));
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([slow, switching]);
    assert.deepEqual(order, ['own starts', 'own ends', 'imapflow']);
  });

  it('logs in again at the next call after a refused login', async () => {
    const { sw, name } = fakes({ ownFailsFirst: true });
    await assert.rejects(
      sw.run(
        async (c) => name(c),
        async () => 'x',
      ),
      /login refused/,
    );
    assert.equal(
      await sw.run(
        async (c) => name(c),
        async () => 'x',
      ),
      'own',
    );
  });

  it('opens nothing once closed', async () => {
    const { sw, log, name } = fakes();
    await sw.close();
    await assert.rejects(
      sw.run(
        async (c) => name(c),
        async () => 'x',
      ),
      /connection was lost/,
    );
    await assert.rejects(
      sw.imapflow(async () => 'x'),
      /connection was lost/,
    );
    assert.deepEqual(log, []);
  });
});
