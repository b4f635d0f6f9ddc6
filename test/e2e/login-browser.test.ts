import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { DemoJob } from '@/jobs';
import { issueLoginCode } from '@/server/login-code';
import { launchChromium, type Browser } from './browser';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

// The generated token (no JOBS_ADMIN_TOKEN), next to a database the test writes to through the store.
delete process.env.JOBS_ADMIN_TOKEN;
const db = useTempDatabase();

describe('signing in with Chromium, against next start', () => {
  let server: NextServer;
  let browser: Browser;
  let jobId: string;

  beforeAll(async () => {
    await ensureBuilt();
    jobId = await DemoJob.later({ steps: 1 });
    server = await startNextServer({ DATABASE_URL: db.url });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the login page sets an HttpOnly, SameSite=Strict session cookie, and the home page then shows the job list', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(server.url);
      await page.getByTestId('sign-in-prompt').waitFor();
      expect(await page.getByTestId('jobs-table').count()).toBe(0);
      expect(await page.getByTestId('enqueue-form').count()).toBe(1); // the form stays open

      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByTestId('login-token').fill('not-the-token-at-all');
      await page.getByTestId('login-submit').click();
      expect(await page.getByTestId('login-error').textContent()).toBe('That token is not valid.');

      await page.getByTestId('login-token').fill(fs.readFileSync(`${db.dir}/admin-token`, 'utf8').trim());
      await page.getByTestId('login-submit').click();
      await page.waitForURL(`${server.url}/`);
      await page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`).waitFor();
      expect(await page.getByTestId('session-role').textContent()).toBe('admin');

      const [session] = (await browser.context.cookies()).filter((c) => c.name === 'fluent_jobs_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
      expect(session.value).toMatch(/^v1\.admin\./);

      // The home page leads to the admin page, which the same session opens.
      await page.getByTestId('admin-link').click();
      await page.waitForURL(`${server.url}/admin`);
      expect(await page.getByRole('heading', { name: 'Overview' }).count()).toBe(1);
    } finally {
      await page.close();
    }
  });

  it('signing out ends the session: the list is hidden again', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${server.url}/login`);
      await page.goto(server.url);
      await page.getByTestId('sign-in-prompt').waitFor();
      expect((await browser.context.cookies()).filter((c) => c.name === 'fluent_jobs_session')).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('npm start\'s one-time link signs the browser in by itself, and opened again it is refused', async () => {
    await browser.context.clearCookies();
    const link = `${server.url}/login?code=${issueLoginCode(db.dir, Date.now())}`; // what npm start prints
    const page = await browser.context.newPage();
    try {
      await page.goto(link);
      await page.waitForURL(`${server.url}/`);
      await page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`).waitFor();

      await browser.context.clearCookies();
      await page.goto(link);
      expect(await page.getByTestId('login-error').textContent()).toBe('This sign-in link was already used: it works once. Sign in with the token instead.');
      await page.goto(server.url);
      await page.getByTestId('sign-in-prompt').waitFor();
    } finally {
      await page.close();
    }
  });
});
