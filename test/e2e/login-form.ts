/**
 * Submits the login page's form the way a browser without JavaScript does:
 * GET the page, take the form's hidden fields (the server action's id and
 * state that React put there), add ours, POST it as multipart. `redirect:
 * 'manual'`, so a successful sign-in shows as 303 with its Set-Cookie.
 */
export async function submitLoginForm(
  baseUrl: string,
  fields: Record<string, string>,
  options: { page?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const page = options.page ?? '/login';
  const html = await (await fetch(baseUrl + page)).text();
  const form = /<form[^>]*data-testid="login-form"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (form === undefined) throw new Error(`no login form on ${page}:\n${html.slice(0, 500)}`);
  const body = hiddenFields(form);
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  return fetch(baseUrl + page, { method: 'POST', body, redirect: 'manual', headers: options.headers });
}

/** The hidden fields of a form's HTML (the server action's id and state React put there) as the body a browser would post. */
export function hiddenFields(formHtml: string): FormData {
  const body = new FormData();
  for (const input of formHtml.matchAll(/<input type="hidden" name="([^"]*)"(?: value="([^"]*)")?\/>/g)) body.append(unescapeHtml(input[1]), unescapeHtml(input[2] ?? ''));
  return body;
}

/** The message the login form shows after a refused attempt, or undefined. */
export function loginError(html: string): string | undefined {
  const text = /data-testid="login-error"[^>]*>([^<]*)</.exec(html)?.[1];
  return text === undefined ? undefined : unescapeHtml(text);
}

/** `name=value` of a Set-Cookie header, for a Cookie header. */
export function cookieOf(response: Response): string {
  const header = response.headers.get('set-cookie');
  if (!header) throw new Error(`no Set-Cookie (status ${response.status})`);
  return header.split(';')[0];
}

/** Undoes the HTML escaping React applies to attribute values. */
export function unescapeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
