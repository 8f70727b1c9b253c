/**
 * The least an IMAP client can do, for measuring what the server spends: one plain-socket session
 * that writes LOGIN, the given commands and LOGOUT at once after the greeting, and waits for the
 * LOGOUT's OK (bench/login-cost.ts, bench/fetch-cost.ts).
 */
import net from 'node:net';

/**
 * One session on 127.0.0.1.
 * @returns the bytes the server sent
 * @throws when the server refuses the login or a command (NO or BAD)
 */
export function plainSession(
  port: number,
  user: { user: string; password: string },
  commands: readonly string[],
): Promise<number> {
  const lines = [`LOGIN "${user.user}" "${user.password}"`, ...commands, 'LOGOUT'];
  const tags = lines.map((_, i) => `t${i}`);
  const logout = new RegExp(`^${tags.at(-1)} OK`, 'm');
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    // The end of what arrived: enough for the tagged replies, without holding a whole FETCH.
    let tail = '';
    let sent = false;
    let bytes = 0;
    socket.on('data', (d) => {
      bytes += d.length;
      tail = (tail + d.toString('latin1')).slice(-4096);
      if (!sent && tail.includes('* OK')) {
        sent = true;
        socket.write(lines.map((l, i) => `${tags[i]} ${l}\r\n`).join(''));
      }
      if (/^t\d+ (NO|BAD)/m.test(tail)) {
        socket.destroy();
        reject(new Error(`refused: ${tail.slice(-300)}`));
      } else if (logout.test(tail)) {
        socket.end();
        resolve(bytes);
      }
    });
    socket.on('error', reject);
  });
}
