/**
 * Machine output: one JSON object per engine event on stdout (`--json`).
 */
import type { EngineEvent, Reporter } from '../core/events.js';

/** Writes every event as one line of JSON with a timestamp. */
export class NdjsonReporter implements Reporter {
  constructor(private readonly out: { write(s: string): unknown } = process.stdout) {}

  emit(e: EngineEvent): void {
    this.out.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
  }
}

/** Sends each event to several reporters. */
export class FanoutReporter implements Reporter {
  constructor(private readonly reporters: Reporter[]) {}

  emit(e: EngineEvent): void {
    for (const r of this.reporters) r.emit(e);
  }
}
