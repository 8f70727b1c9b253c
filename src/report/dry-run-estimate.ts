/**
 * How long the copy will take: messages still to copy divided by a throughput. The throughput is
 * the one measured by earlier runs of this plan when there are any (the state's runs), else the
 * plan's `report.throughput`, else a cautious default. Pure.
 */
import type { Estimate } from './dry-run-model.js';

/**
 * Messages per second assumed before anything is measured or configured. Cautious on purpose: one
 * APPEND per round trip is ~33 messages/s per connection at 30 ms between providers (see
 * CONVENTIONS "imapflow notes"), and providers throttle; a client is better told too long than too short.
 */
export const DEFAULT_THROUGHPUT = 10;

/**
 * Estimates the copy time.
 * @param work messages and bytes still to copy
 * @param throughput the learned figure (from the state) and the plan's configured one, in messages/s
 */
export function estimateDuration(
  work: { messages: number; bytes: number },
  throughput: { learned?: number; configured?: number },
): Estimate {
  const usable = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n) && n > 0;
  const [rate, basis]: [number, Estimate['basis']] = usable(throughput.learned)
    ? [throughput.learned, 'learned']
    : usable(throughput.configured)
      ? [throughput.configured, 'plan']
      : [DEFAULT_THROUGHPUT, 'default'];
  const messages = Math.max(0, work.messages);
  return { messages, bytes: Math.max(0, work.bytes), throughput: rate, basis, seconds: messages / rate };
}
