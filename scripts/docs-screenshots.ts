// `npm run docs:screenshots`: the README's screenshots of the admin page (docs/*.png), taken from a
// real `next start` and a real worker running real demo jobs for about a minute: nothing is drawn
// or inserted by hand, so the pictures show what a user sees after a few minutes of use.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Page } from 'playwright-core';
import { ensureBuilt, startNextServer } from '../bench/next-server';
import { projectRoot } from '../bench/harness';

const say = (line: string) => process.stderr.write(`[screenshots] ${line}\n`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-jobs-docs-'));
const token = 'docs-screenshots-admin-token-0123456789';
const env = { DATABASE_URL: `file:${path.join(dir, 'jobs.db')}`, JOBS_ADMIN_TOKEN: token };
const outDir = path.join(projectRoot, 'docs');

// The jobs are enqueued through the library, as an app does (DATABASE_URL is set before it loads).
process.env.DATABASE_URL = env.DATABASE_URL;
const { DemoJob } = await import('../src/jobs');
const { getEngine } = await import('../src/db/client');
const { pauseQueue } = await import('../src/store/queues');

async function shoot(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
  await sleep(500); // the chart's first draw
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
  say(`docs/${name}.png`);
}

async function main(): Promise<void> {
  await ensureBuilt(say);
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startNextServer(env);
  const workers: ChildProcess[] = ['default,email', 'default,email,billing'].map((queues) =>
    spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], { cwd: projectRoot, env: { ...process.env, ...env, JOBS_QUEUES: queues }, stdio: 'ignore' }));
  try {
    say('a minute of work: bursts of quick jobs, two kinds of failure, a long job, a delayed one, a paused queue');
    for (let round = 0; round < 12; round++) {
      const burst = 10 + (round % 4) * 8;
      await DemoJob.laterMany(Array.from({ length: burst }, () => ({ steps: 1, delayMs: 20 })), { queue: 'default' });
      await DemoJob.laterMany(Array.from({ length: burst / 2 }, () => ({ steps: 1, delayMs: 20 })), { queue: 'email' });
      if (round % 3 === 0) await DemoJob.later({ steps: 0, failTimes: 9 }, { maxAttempts: 1, queue: 'billing' });
      if (round % 4 === 1) await DemoJob.later({ steps: 5, delayMs: 1_000 }, { maxAttempts: 1, queue: 'email', timeout: '1s' });
      await sleep(5_000);
    }
    const long = await DemoJob.later({ steps: 100, delayMs: 1_000 }, { queue: 'email', title: 'Weekly digest for 12,408 subscribers' });
    await DemoJob.later({ steps: 1 }, { delay: '2h', title: 'Trial ends reminder' });
    await pauseQueue(await getEngine(), 'reports', Date.now());
    await DemoJob.later({ steps: 1 }, { queue: 'reports' });
    await sleep(8_000); // the long job gets going

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${server.url}/login?next=/admin`);
      await page.getByTestId('login-token').fill(token);
      await page.getByTestId('login-submit').click();
      await page.waitForURL(`${server.url}/admin`);
      await shoot(page, `${server.url}/admin`, 'admin-overview');
      await shoot(page, `${server.url}/admin/jobs/${long}`, 'admin-job');
      await shoot(page, `${server.url}/admin/failures`, 'admin-failures');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shoot(page, `${server.url}/admin`, 'admin-overview-dark');
    } finally {
      await browser.close();
    }
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
