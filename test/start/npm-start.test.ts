import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, freePort } from '../e2e/next-app';
import { useTempDatabase } from '../helpers/db';
import { waitFor } from '../helpers/processes';
import { commandOf, isAlive, spawnTree, type Tree } from './process-tree';
import { DemoJob } from '@/jobs';
import { getJob } from '@/store/queries';

const db = useTempDatabase();
const stopLimitMs = 30_000;

beforeAll(ensureBuilt);

interface App {
  npm: Tree;
  supervisorPid: number;
  /** web, worker and cron, by the command each runs. */
  children: Record<'web' | 'worker' | 'cron', number>;
}

/** `npm start` as a process manager runs it, on 127.0.0.1 and a free port, once it says it is running. */
async function startApp(): Promise<App> {
  const port = await freePort();
  const npm = spawnTree('npm', ['start'], { DATABASE_URL: db.url, PORT: String(port), HOSTNAME: '127.0.0.1', NO_COLOR: '1' });
  await waitFor(() => {
    if (npm.child.exitCode !== null) throw new Error(`npm start exited:\n${npm.output()}`);
    return npm.output().includes('Fluent Jobs is running');
  }, 'npm start to say it is running', 90_000, 100);
  const find = (pattern: RegExp) => {
    const pid = npm.record().find((p) => pattern.test(commandOf(p)));
    if (!pid) throw new Error(`no ${pattern} process below npm: ${npm.record().map(commandOf).join('; ')}`);
    return pid;
  };
  return {
    npm,
    supervisorPid: find(/src\/start\/main\.ts/),
    children: { web: find(/next/), worker: find(/src\/worker\/main\.ts/), cron: find(/src\/cron\/main\.ts/) },
  };
}

/** A demo job of a few seconds, once the worker has started it. */
async function runningJob(): Promise<string> {
  const id = await DemoJob.later({ steps: 10, delayMs: 250 });
  await waitFor(async () => ((await getJob(await db.engine(), id))?.progress ?? 0) > 0, 'the worker to start the job');
  return id;
}

async function expectAllGone(app: App, what: string) {
  await waitFor(() => app.npm.seen().every((pid) => !isAlive(pid)), what, stopLimitMs, 100).catch((error) => {
    const left = app.npm.seen().filter(isAlive).map(commandOf);
    throw new Error(`${error.message}; still running: ${left.join('; ')}\n${app.npm.output()}`);
  });
}

describe('npm start', { timeout: 180_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm's PID stops the web app, the worker and the poller, after the running job finishes`, async () => {
      const app = await startApp();
      const id = await runningJob();
      process.kill(app.npm.child.pid!, signal);
      await expectAllGone(app, `every process to stop after ${signal} to npm`);
      expect((await getJob(await db.engine(), id))?.state).toBe('completed');
      expect(app.npm.output()).toMatch(/stopping web, worker, cron/);
      expect(await app.npm.exited).toBe(0);
    });
  }

  it('Ctrl-C in a terminal (SIGINT to npm\'s process group) stops everything once: the running job finishes', async () => {
    const app = await startApp();
    const id = await runningJob();
    process.kill(-app.npm.child.pid!, 'SIGINT'); // what the terminal does: npm and the supervisor both get it
    await expectAllGone(app, 'every process to stop after Ctrl-C');
    expect((await getJob(await db.engine(), id))?.state).toBe('completed');
    expect(app.npm.output()).not.toMatch(/stop now|killing/);
  });

  it('when npm is killed with SIGKILL, the supervisor notices and stops everything, after the running job finishes', async () => {
    const app = await startApp();
    const id = await runningJob();
    process.kill(app.npm.child.pid!, 'SIGKILL');
    await expectAllGone(app, 'the supervisor and its children to stop after npm was killed');
    expect((await getJob(await db.engine(), id))?.state).toBe('completed');
  });

  it('when the supervisor is killed with SIGKILL, the web server, the worker and the poller exit by themselves', async () => {
    const app = await startApp();
    const id = await runningJob();
    process.kill(app.supervisorPid, 'SIGKILL');
    await expectAllGone(app, 'the orphaned web server, worker and poller to exit');
    // The worker was told to stop, not killed: it finished the job within its grace.
    expect((await getJob(await db.engine(), id))?.state).toBe('completed');
  });
});
