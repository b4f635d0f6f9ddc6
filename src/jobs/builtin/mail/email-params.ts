import { z } from 'zod';
import { parseMailbox } from '@/core/mailbox';

const required = (what: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? `${what} is required` : undefined) });

const mailbox = z.string().max(998).refine((text) => parseMailbox(text) !== null, {
  message: 'must be one email address, or "Name <address>" (give several as a list)',
});

/** One address, or a list of them (1 to 100). */
const mailboxes = z.union([mailbox, z.array(mailbox).min(1).max(100)], required('a recipient'));

const attachment = z
  .object({
    /** The name the recipient sees. */
    filename: z.string().min(1).max(255),
    /** A file on the worker's machine, read when the email is sent. */
    path: z.string().min(1).max(4096).refine((p) => !/^[a-z][a-z0-9+.-]*:/i.test(p), {
      message: 'must be a file path on the worker\'s machine, not a URL',
    }).optional(),
    /** The bytes, base64-encoded (they count towards JOBS_MAX_PARAMS_BYTES). */
    content: z.base64().optional(),
    /** Default: from the filename's extension. */
    contentType: z.string().min(1).max(255).optional(),
  })
  .strict()
  .refine((a) => (a.path === undefined) !== (a.content === undefined), {
    message: 'give either path (a file on the worker) or content (base64), not both and not neither',
  });

/** The params of send-email, checked at enqueue (invalid_params) and again when it runs. */
export const sendEmailParams = z
  .object({
    to: mailboxes.describe('an address, "Name <address>", or a list'),
    cc: mailboxes.optional().describe('an address or a list'),
    bcc: mailboxes.optional().describe('in the envelope only, never in the headers'),
    subject: z.string(required('a subject')).min(1).max(998),
    text: z.string().optional().describe('the plain-text body; text, html or both'),
    html: z.string().optional().describe('the HTML body; text, html or both'),
    replyTo: mailbox.optional(),
    from: mailbox.optional().describe('default JOBS_MAIL_FROM'),
    attachments: z.array(attachment).max(20).optional()
      .describe('each { filename, path | content (base64), contentType? }'),
  })
  .strict()
  .refine((p) => p.text !== undefined || p.html !== undefined, { message: 'give text, html or both', path: ['text'] });

export type SendEmailParams = z.input<typeof sendEmailParams>;
export type EmailAttachment = z.infer<typeof attachment>;
