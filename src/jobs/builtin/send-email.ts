import path from 'node:path';
import { getConfig } from '@/config/env';
import { dataDir } from '@/db/data-dir';
import { Job } from '@/lib/jobs';
import { composeEmail } from './mail/compose-email';
import { sendEmailParams, type SendEmailParams } from './mail/email-params';
import { sendViaSmtp, type SmtpDelivery } from './mail/send-smtp';
import { writeEml, type FileDelivery } from './mail/write-eml';

export type { SendEmailParams };
export type SendEmailResult = SmtpDelivery | FileDelivery;

/** Where emails go when SMTP_URL is unset. */
const emlDir = () => path.join(dataDir(), 'mail');

/**
 * Built in: sends one email through the SMTP server of SMTP_URL (nodemailer),
 * or, with no SMTP_URL, writes it as a .eml file to <data folder>/mail/. A
 * permanent answer from the server (5xx) fails the job at once; a deferral (4xx)
 * or a network error is retried.
 */
export class SendEmailJob extends Job<SendEmailParams, SendEmailResult> {
  static jobName = 'send-email';
  static description = 'Sends an email through SMTP_URL (or writes it as a .eml file to the data folder without one)';
  static params = sendEmailParams;
  // A deferring server (greylisting) wants minutes, not seconds: waits of up to 30 s, 1 min, 2 min and 4 min between the five attempts.
  static options = { queue: 'mail', maxAttempts: 5, backoff: { type: 'exponential' as const, delay: 30_000, maxDelay: 15 * 60_000 }, timeout: '2m' };

  static startupNotice(): string | null {
    if (getConfig().smtpUrl) return null;
    return `SMTP_URL is not set: emails are written as .eml files to ${emlDir()}, not sent`;
  }

  protected async perform(input: SendEmailParams): Promise<SendEmailResult> {
    const params = sendEmailParams.parse(input);
    const config = getConfig();
    const message = await composeEmail(params, config.mailFrom);
    if (!config.smtpUrl) {
      const written = await writeEml(message, emlDir(), this.context.jobId);
      this.logger.info('written as a .eml file (SMTP_URL is not set)', { path: written.path });
      return written;
    }
    const sent = await sendViaSmtp(message, config.smtpUrl, this.signal);
    if (sent.rejected.length) this.logger.warn('the server refused some recipients', { rejected: sent.rejected });
    this.logger.info('sent', { messageId: sent.messageId, accepted: sent.accepted.length });
    return sent;
  }
}
