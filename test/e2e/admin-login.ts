import type { Browser } from './browser';
import type { NextServer } from './next-app';

/** Signs `browser` in to the admin page with `token` through the login form, as a person does (any earlier session dropped). */
export async function signInToAdmin(browser: Browser, server: NextServer, token: string): Promise<void> {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  try {
    await page.goto(`${server.url}/login?next=/admin`);
    await page.getByTestId('login-token').fill(token);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/admin`);
  } finally {
    await page.close();
  }
}

/** The browser's session cookie as a Cookie header value, for requests made beside the browser (a forged post). */
export async function sessionCookie(browser: Browser): Promise<string> {
  const cookie = (await browser.context.cookies()).find((c) => c.name === 'fluent_jobs_session');
  if (!cookie) throw new Error('the browser holds no session cookie');
  return `${cookie.name}=${cookie.value}`;
}
