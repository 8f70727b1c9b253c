/**
 * The notifier of a plan's `notify:` section: its webhooks (URL written, or from an environment
 * variable or a file) and its SMTP server, with the state database remembering what was sent.
 * Every secret mailshift knows of is handed to the notifier's scrubber: the accounts' passwords and
 * token files, the SMTP password and the webhook URLs (for Slack and Teams the URL is the secret).
 * A token command is not run for that (it may cost a round trip to an identity provider); its
 * tokens look like one and are caught by the scrubber's patterns.
 */
import { MailshiftError } from '../core/errors.js';
import type { NoticeKind } from '../notify/notification.js';
import {
  emailChannel,
  Notifier,
  webhookChannel,
  type Channel,
  type NoticeMemory,
} from '../notify/notifier.js';
import type { WebhookConfig } from '../plan/cutover-schema.js';
import { resolveSecret } from '../plan/credentials.js';
import { parseSpan } from '../plan/durations.js';
import type { Plan } from '../plan/load-plan.js';
import type { CredentialRef } from '../plan/schema.js';

/** The secrets of a plan, read again before each pass (a token file may be refreshed meanwhile). */
export class PlanSecrets {
  private known: string[] = [];

  constructor(
    private readonly plan: Plan,
    private readonly extra: () => readonly string[] = () => [],
  ) {}

  /** Reads every password and token file of the plan; one that cannot be read is left out. */
  async refresh(): Promise<void> {
    const refs: CredentialRef[] = this.plan.accounts.flatMap((a) => [a.source, a.destination]);
    const smtp = this.plan.notify?.email?.smtp;
    if (smtp?.user)
      refs.push({ user: smtp.user, passwordEnv: smtp.passwordEnv, passwordFile: smtp.passwordFile });
    const read = await Promise.all(
      refs
        .filter((r) => r.tokenCommand === undefined)
        .map((r) =>
          resolveSecret(r, this.plan.dir).then(
            (s) => s.value,
            () => undefined,
          ),
        ),
    );
    this.known = read.filter((s): s is string => s !== undefined);
  }

  /** What the scrubber removes: the secrets last read, and the extra ones (the webhook URLs). */
  list(): readonly string[] {
    return [...this.known, ...this.extra()];
  }
}

function notifyError(message: string, hint: string): MailshiftError {
  return new MailshiftError(message, { code: 'PLAN_SECRET', scope: 'run', hint });
}

/** A webhook's URL, from where the plan says. @throws MailshiftError PLAN_SECRET */
async function webhookUrl(plan: Plan, w: WebhookConfig, i: number): Promise<string> {
  const field = `notify.webhooks[${i}]`;
  if (w.url !== undefined) return w.url;
  if (w.urlEnv !== undefined) {
    const url = process.env[w.urlEnv];
    if (!url)
      throw notifyError(
        `environment variable ${w.urlEnv} (the URL of ${field}) is not set`,
        `export ${w.urlEnv}=https://... before starting the sync`,
      );
    return url;
  }
  return (await resolveSecret({ user: field, passwordFile: w.urlFile }, plan.dir)).value;
}

/** A plan's notifier with the secrets it scrubs. */
export interface PlanNotifier {
  notifier: Notifier;
  secrets: PlanSecrets;
}

/**
 * Builds the notifier of a plan, or undefined when the plan has no `notify:` section.
 * @throws MailshiftError PLAN_SECRET when a webhook URL or the SMTP password cannot be read
 */
export async function planNotifier(plan: Plan, memory: NoticeMemory): Promise<PlanNotifier | undefined> {
  const cfg = plan.notify;
  if (!cfg) return undefined;
  const urls = await Promise.all(cfg.webhooks.map((w, i) => webhookUrl(plan, w, i)));
  const channels: Channel[] = cfg.webhooks.map((w, i) =>
    webhookChannel({ name: `webhook ${i + 1} (${w.style})`, url: urls[i]!, style: w.style }),
  );
  const email = cfg.email;
  if (email) {
    const smtp = email.smtp;
    let password: string | undefined;
    if (smtp.user) {
      // Read now so a missing password stops the start, not the first notification at 3 a.m.
      const ref = { user: smtp.user, passwordEnv: smtp.passwordEnv, passwordFile: smtp.passwordFile };
      password = (await resolveSecret(ref, plan.dir)).value;
    }
    channels.push(
      emailChannel({
        host: smtp.host,
        port: smtp.port,
        security: smtp.security,
        tlsVerify: smtp.tlsVerify,
        ...(smtp.user && password !== undefined
          ? { auth: { user: smtp.user, password: () => password } }
          : {}),
        from: email.from,
        to: email.to,
      }),
    );
  }
  const secrets = new PlanSecrets(plan, () => urls);
  await secrets.refresh();
  const notifier = new Notifier({
    channels,
    on: cfg.on as readonly NoticeKind[],
    repeatAfterMs: parseSpan(cfg.repeatAfter) ?? 86_400_000,
    memory,
    secrets: () => secrets.list(),
  });
  return { notifier, secrets };
}
