import fs from 'node:fs/promises';
import path from 'node:path';
import type { SendMailOptions } from 'nodemailer';
import { defaults } from '@/config/defaults';
import { NonRetryableError } from '@/core/errors';
import { parseMailbox, type Mailbox } from '@/core/mailbox';
import { projectRoot } from '@/db/migrate';
import type { EmailAttachment, SendEmailParams } from './email-params';

/**
 * The message nodemailer sends or writes, from checked params. Attachment
 * files are read here, not by nodemailer (its file and URL access is turned
 * off), so a missing or oversized file fails the job at once with its name.
 */
export async function composeEmail(params: SendEmailParams, defaultFrom: string): Promise<SendMailOptions> {
  const attachments = await Promise.all((params.attachments ?? []).map(readAttachment));
  const total = attachments.reduce((sum, a) => sum + a.content.length, 0);
  if (total > defaults.mailAttachmentsMaxBytes) {
    throw new NonRetryableError(`The attachments come to ${total} bytes, more than the ${defaults.mailAttachmentsMaxBytes} a message may carry`);
  }
  return {
    from: mailboxes(params.from ?? defaultFrom),
    to: mailboxes(params.to),
    cc: params.cc === undefined ? undefined : mailboxes(params.cc),
    bcc: params.bcc === undefined ? undefined : mailboxes(params.bcc),
    replyTo: params.replyTo === undefined ? undefined : mailboxes(params.replyTo),
    subject: params.subject,
    text: params.text,
    html: params.html,
    attachments,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** Addresses as objects, so nodemailer never parses a display name again. */
function mailboxes(value: string | string[]): Mailbox[] {
  return (Array.isArray(value) ? value : [value]).map((text) => parseMailbox(text)!);
}

async function readAttachment(attachment: EmailAttachment): Promise<{ filename: string; content: Buffer; contentType?: string }> {
  const { filename, contentType } = attachment;
  if (attachment.content !== undefined) return { filename, content: Buffer.from(attachment.content, 'base64'), contentType };
  // Relative paths mean the same to every process: from the project root, as the database file's do.
  const file = path.resolve(projectRoot, attachment.path!);
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new NonRetryableError(`Attachment "${filename}": ${file} is not a file`);
    if (stat.size > defaults.mailAttachmentsMaxBytes) {
      throw new NonRetryableError(`Attachment "${filename}": ${file} has ${stat.size} bytes, more than the ${defaults.mailAttachmentsMaxBytes} a message may carry`);
    }
    return { filename, content: await fs.readFile(file), contentType };
  } catch (error) {
    if (error instanceof NonRetryableError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new NonRetryableError(`Attachment "${filename}": cannot read ${file} (${code ?? (error as Error).message})`);
  }
}
