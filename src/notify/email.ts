/**
 * Notifications by email, through the SMTP server the plan names (nodemailer's SMTP transport).
 * `security: starttls` requires STARTTLS (a server that does not offer it is an error, never a
 * silent fall back to plain text), as for the IMAP servers; `tls` is implicit TLS (465).
 */
import nodemailer from 'nodemailer';
import type { Notification } from './notification.js';

/** An SMTP server and the envelope of the notifications. */
export interface EmailTarget {
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  tlsVerify: boolean;
  /** Login, when the server wants one; the password is read when a mail is sent. */
  auth?: { user: string; password: () => string };
  from: string;
  to: string[];
  timeoutMs?: number;
}

/** Subject and body of a notification email. */
export function emailContent(n: Notification): { subject: string; text: string } {
  const subject = `[mailshift ${n.plan}] ${n.title}`;
  const text = `${n.text}\n\n-- \nmailshift, plan ${n.plan}, ${n.time} (UTC)\n`;
  return { subject, text };
}

/**
 * Sends a notification by email.
 * @throws Error naming the SMTP server and what failed (never the password)
 */
export async function sendEmail(target: EmailTarget, n: Notification): Promise<void> {
  const timeout = target.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.security === 'tls',
    requireTLS: target.security === 'starttls',
    ignoreTLS: target.security === 'none',
    tls: { rejectUnauthorized: target.tlsVerify },
    auth: target.auth ? { user: target.auth.user, pass: target.auth.password() } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  const { subject, text } = emailContent(n);
  try {
    await transport.sendMail({ from: target.from, to: target.to, subject, text });
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; message?: string };
    const what = e.responseCode ? `SMTP ${e.responseCode}` : (e.code ?? 'error');
    throw new Error(
      `email through ${target.host}:${target.port} failed (${what}): ${e.message ?? ''}`.trim(),
    );
  } finally {
    transport.close();
  }
}
