/**
 * What `mailshift sync` says between the passes, for people (one line per event of the loop) and
 * for machines (`--json`: one NDJSON line, `type: "sync"`). The passes themselves are told by the
 * run's own reporters and summary.
 */
import type { WatchEvent } from './watch.js';

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * One line about an event of the loop, or undefined for nothing worth a line.
 * @param opts.idle new INBOX mail may start a pass early (said with the next pass's time)
 */
export function watchLine(e: WatchEvent, opts: { idle?: boolean } = {}): string | undefined {
  switch (e.type) {
    case 'waiting':
      return e.final
        ? `sync: the final pass runs at the cutover, ${iso(e.until)}`
        : `sync: next pass at ${iso(e.until)}${opts.idle ? ' (sooner if new mail arrives in a source INBOX)' : ''}`;
    case 'woken':
      return 'sync: new mail in a source INBOX: the next pass starts early';
    case 'pass-start': {
      const r = e.request;
      const who = r.only ? ` (accounts ${r.only.join(', ')}; the others wait after failures)` : '';
      return `sync: ${r.final ? 'final pass after the cutover' : `pass ${r.number}`} starts (${r.trigger})${who}`;
    }
    case 'pass-done':
      return e.request.final
        ? `sync: final pass (pass ${e.request.number}) ${e.status}; the sync ends`
        : `sync: pass ${e.request.number} ${e.status}`;
    case 'accounts-waiting':
      return `sync: every account waits after failures until ${iso(e.until)}`;
    case 'notice': {
      if (!e.result.sent && e.result.heldBack) return undefined;
      const failed = e.result.deliveries.filter((d) => !d.ok);
      if (failed.length === 0) return `sync: notification "${e.kind}" sent`;
      return `sync: notification "${e.kind}" not delivered: ${failed.map((d) => `${d.channel}: ${d.error ?? '?'}`).join('; ')}`;
    }
    default:
      return undefined;
  }
}

/** The event as one JSON object for `--json` (times as ISO 8601). */
export function watchJson(e: WatchEvent): Record<string, unknown> {
  const base = { type: 'sync', event: e.type };
  switch (e.type) {
    case 'waiting':
      return { ...base, until: new Date(e.until).toISOString(), final: e.final };
    case 'woken':
      return { ...base, at: new Date(e.at).toISOString() };
    case 'pass-start':
      return { ...base, ...e.request };
    case 'pass-done':
      return {
        ...base,
        number: e.request.number,
        final: e.request.final,
        status: e.status,
        totals: e.summary.totals,
        complete: e.summary.complete,
      };
    case 'accounts-waiting':
      return { ...base, accounts: e.accounts, until: new Date(e.until).toISOString() };
    case 'notice':
      return { ...base, kind: e.kind, ...e.result };
  }
}
