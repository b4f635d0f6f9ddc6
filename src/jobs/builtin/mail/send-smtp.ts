import { defaults } from '@/config/defaults';
import { smtpServerText } from '@/config/smtp-url';
import type { SendMailOptions } from 'nodemailer';
import { smtpFailure } from './smtp-failure';

export interface SmtpDelivery {
  delivery: 'smtp';
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** The server's answer to the message, e.g. `250 OK: queued as 5F3A`. */
  response: string;
}

/**
 * Sends one message through the server of `smtpUrl` on a connection of its
 * own, closed when it is done; `signal` aborts the send. Throws what
 * smtpFailure makes of a failure (NonRetryableError for a permanent answer).
 */
export async function sendViaSmtp(message: SendMailOptions, smtpUrl: string, signal: AbortSignal): Promise<SmtpDelivery> {
  // Loaded on the first email, not with every process that lists the job classes (the CLI).
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: defaults.smtpConnectTimeoutMs,
    greetingTimeout: defaults.smtpConnectTimeoutMs,
    socketTimeout: defaults.smtpSocketTimeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const url = new URL(smtpUrl);
  const secrets = [url.password, safeDecode(url.password)];
  try {
    const info = await transport.sendMail({ ...message, signal });
    return {
      delivery: 'smtp',
      messageId: info.messageId,
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String),
      response: info.response,
    };
  } catch (error) {
    if (signal.aborted) throw signal.reason; // a timeout or cancel: the runner records it as such
    throw smtpFailure(error, smtpServerText(smtpUrl), secrets);
  } finally {
    transport.close();
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
