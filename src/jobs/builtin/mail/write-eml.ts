import fs from 'node:fs/promises';
import path from 'node:path';
import type { SendMailOptions } from 'nodemailer';

export interface FileDelivery {
  delivery: 'file';
  messageId: string;
  /** Every recipient of the envelope (to, cc and bcc): nobody refuses a file. */
  accepted: string[];
  rejected: string[];
  /** The .eml file written. */
  path: string;
}

/**
 * With no SMTP server: builds the message exactly as it would be sent and
 * writes it to `<dir>/<time>-<jobId>.eml` (any mail client opens it). The Bcc
 * header is kept in the file, so every recipient can be checked.
 */
export async function writeEml(message: SendMailOptions, dir: string, jobId: string): Promise<FileDelivery> {
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail(message);
  await fs.mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${stamp}-${jobId.replace(/[^\w-]/g, '_')}.eml`);
  await fs.writeFile(file, info.message as Buffer, { flag: 'wx' });
  return { delivery: 'file', messageId: info.messageId, accepted: info.envelope.to.map(String), rejected: [], path: file };
}
