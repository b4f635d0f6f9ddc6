import { z } from 'zod';
import { webhookParams } from '@/lib/webhooks/delivery';

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Only http:// and https:// URLs: fetch would refuse the rest at run time, and file:, data: or ftp: have no business in a job. */
const httpUrl = z.string(required('a url')).max(8_192).superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
    return;
  }
  // Only the scheme is quoted: the rest of a URL may carry a password or a token.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `must be http:// or https://, not ${url.protocol}//` });
});

// RFC 9110 token characters: what fetch takes as a header name.
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headers = z.record(z.string(), z.string().max(8_192)).superRefine((record, ctx) => {
  for (const [name, value] of Object.entries(record)) {
    if (!headerName.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a header name (letters, digits and !#$%&\'*+.^_`|~-)' });
    else if (/[\r\n\0]/.test(value)) ctx.addIssue({ code: 'custom', path: [name], message: 'must not hold a line break' });
  }
});

/** The params of http-request, checked at enqueue (invalid_params) and again when it runs. */
export const httpRequestParams = z
  .object({
    method: z.enum(methods).optional().describe('default GET, or POST when json or body is given'),
    url: httpUrl.describe('http:// or https:// only'),
    headers: headers.optional().describe('request headers, name to value'),
    json: z.unknown().optional().describe('a JSON body, sent with content-type: application/json'),
    body: z.string().optional().describe('a text body, sent as it is'),
    timeoutMs: z.number().int().min(1).max(300_000).default(30_000).describe('ms for the whole request, reading the body included'),
    maxResponseBytes: z.number().int().min(0).max(10 * 1024 * 1024).default(64 * 1024).describe('a longer body is cut there, with truncated: true'),
    responseHeaders: z.array(z.string().min(1).max(200)).max(50).default(['content-type']).describe('names of the response headers to return'),
    sign: z.boolean().optional().describe('sign the text body with JOBS_WEBHOOK_SECRET at each attempt, as webhook deliveries are (X-Fluent-Jobs-Timestamp and -Signature headers)'),
    webhook: webhookParams.optional().describe('set by the job system on a webhook delivery: the signed JSON body is made from it at each attempt'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const hasBody = p.json !== undefined || p.body !== undefined;
    if (p.json !== undefined && p.body !== undefined) ctx.addIssue({ code: 'custom', path: ['body'], message: 'give json or body, not both' });
    if (p.webhook && hasBody) ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'a webhook delivery makes its own body: give no json or body' });
    if (p.sign && p.body === undefined) ctx.addIssue({ code: 'custom', path: ['sign'], message: 'a signed request needs a text body (body), the bytes that are signed' });
    if (hasBody && (p.method === 'GET' || p.method === 'HEAD')) ctx.addIssue({ code: 'custom', path: ['method'], message: `a ${p.method} request cannot have a body` });
  });

export type HttpRequestParams = z.input<typeof httpRequestParams>;
export type CheckedHttpRequest = z.output<typeof httpRequestParams>;

function required(what: string) {
  return { error: (issue: { input: unknown }) => (issue.input === undefined ? `${what} is required` : undefined) };
}
