import type { NodemailerError } from 'nodemailer';
import { NonRetryableError } from '@/core/errors';

/**
 * The error a failed SMTP send fails its attempt with. A permanent answer
 * (5xx, as nodemailer reads it: every 5xx but 503, "bad sequence of commands",
 * which a new connection can get past) ends the job: the same message would be
 * refused again. A 4xx answer (the server defers: greylisting, a full mailbox,
 * rate limits) and a lost or refused connection are retried. The text never
 * holds the password: every value in `secrets` is masked wherever it appears.
 */
export function smtpFailure(error: unknown, server: string, secrets: readonly string[]): Error {
  const e = error as NodemailerError;
  const hide = (text: string) => secrets.reduce((t, secret) => (secret ? t.split(secret).join('***') : t), text);
  const code = e.responseCode;
  if (typeof code === 'number' && code >= 400) {
    const answer = hide(oneLine(e.response ?? `${code}`));
    const during = e.command ? ` to ${e.command.split(' ')[0]}` : '';
    const permanent = e.permanent ?? (code >= 500 && code !== 503);
    return permanent
      ? new NonRetryableError(`SMTP server ${server} refused the message: ${answer}${during}`)
      : new Error(`SMTP server ${server} deferred the message: ${answer}${during}`);
  }
  const reason = hide(oneLine(e.message ?? String(error)));
  return new Error(`Sending through ${server} failed${e.code ? ` (${e.code})` : ''}: ${reason}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
