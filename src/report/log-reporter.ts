/**
 * Writes every engine event to the run's structured log (pino), for after-the-fact reading.
 */
import type { EngineEvent, Reporter } from '../core/events.js';
import type { Logger } from '../shared/logger.js';

/** Logs events at info, failures at warn. */
export class LogReporter implements Reporter {
  constructor(private readonly logger: Logger) {}

  emit(e: EngineEvent): void {
    if (e.type === 'progress') return; // too chatty; folder-done has the totals
    const failed = e.type.endsWith('failed');
    this.logger[failed ? 'warn' : 'info'](e, e.type);
  }
}
