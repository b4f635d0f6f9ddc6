import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useTempDatabase } from '../helpers/db';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createJob, getDatabase, Job, JobFailedError, jobEvents, NonRetryableError, type FileDatabase, type JobEventMap } from '@/lib/jobs';
import { DemoJob } from '@/jobs';
import { getJob, getJobDetail, countByState } from '@/store/queries';
import { readJobDetailJson } from '@/lib/jobs/json';

const db = useTempDatabase({ JOBS_MAX_PARAMS_BYTES: '2048' });

class GreetJob extends Job<{ name: string }, { greeting: string }> {
  static jobName = 'greet';
  static params = z.object({ name: z.string().min(1) });
  static options = { queue: 'greetings', priority: 'high' as const, maxAttempts: 4, timeout: '5s' };
  protected async perform({ name }: { name: string }) {
    await this.updateProgress(50, 'composing');
    this.logger.info('greeting', { name });
    return { greeting: `hello ${name}` };
  }
}

class PickyJob extends Job<{ n: number }, number> {
  static jobName = 'picky';
  protected async perform({ n }: { n: number }) {
    if (n < 0) throw new NonRetryableError('negative numbers are never fine');
    if (n === 0) throw new Error('zero, try again');
    return n * 2;
  }
}

const rowCount = async () => Object.values(await countByState(await db.engine())).reduce((a, b) => a + b, 0);

describe('.now()', () => {
  it('runs here and returns data with metadata', async () => {
    const progress: JobEventMap['job.progress'][] = [];
    const off = jobEvents.on('job.progress', (e) => progress.push(e));
    const { data, metadata } = await GreetJob.now({ name: 'ada' });
    off();
    expect(data).toEqual({ greeting: 'hello ada' });
    expect(metadata).toMatchObject({ jobName: 'greet', status: 'completed', attempt: 1, error: null });
    expect(metadata.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(metadata.durationMs).toBeGreaterThanOrEqual(0);
    expect(progress).toEqual([{ jobId: metadata.jobId, jobName: 'greet', percent: 50, message: 'composing' }]);
  });

  it('throws JobFailedError with metadata when the job fails, and checks the param schema', async () => {
    const failure = await PickyJob.now({ n: 0 }).catch((e) => e);
    expect(failure).toBeInstanceOf(JobFailedError);
    expect(failure.message).toBe('picky failed: zero, try again');
    expect(failure.metadata).toMatchObject({ status: 'failed', error: 'zero, try again' });
    const invalid = await GreetJob.now({ name: '' }).catch((e) => e);
    expect(invalid.message).toMatch(/Invalid params for greet: params.name/);
  });
});

describe('.batch()', () => {
  it('runs every item with bounded concurrency and reports each result in order', async () => {
    let running = 0;
    let peak = 0;
    const Slow = createJob('slow-double', async ({ n }: { n: number }) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (n === 3) throw new Error('three');
      return n * 2;
    });
    const results = await Slow.batch([1, 2, 3, 4, 5, 6].map((n) => ({ n })), { concurrency: 2 });
    expect(peak).toBe(2);
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'failed', 'completed', 'completed', 'completed']);
    expect(results[1]).toMatchObject({ status: 'completed', data: 4 });
  });

  it('stopOnError starts nothing after the first failure', async () => {
    const results = await PickyJob.batch([{ n: 1 }, { n: 0 }, { n: 2 }, { n: 3 }], { concurrency: 1, stopOnError: true });
    expect(results.map((r) => r.status)).toEqual(['completed', 'failed', 'skipped', 'skipped']);
  });
});

describe('.later()', () => {
  it('stores a pending job with the class defaults and returns its id', async () => {
    const enqueued: string[] = [];
    const off = jobEvents.on('job.enqueued', (e) => enqueued.push(e.jobId));
    const id = await GreetJob.later({ name: 'grace' });
    off();
    expect(enqueued).toEqual([id]);
    const row = await getJob(await db.engine(), id);
    expect(row).toMatchObject({
      name: 'greet', queue: 'greetings', priority: 5, state: 'pending', maxAttempts: 4, timeoutMs: 5_000,
      params: '{"name":"grace"}', attempts: 0, scheduled: 0,
    });
  });

  it('takes per-call options: queue, priority, delay, runAt, attempts, timeout', async () => {
    const before = Date.now();
    const id = await GreetJob.later({ name: 'x' }, { queue: 'vip', priority: 'critical', delay: '5m', maxAttempts: 1, timeout: 100 });
    const row = (await getJob(await db.engine(), id))!;
    expect(row).toMatchObject({ queue: 'vip', priority: 10, maxAttempts: 1, timeoutMs: 100, scheduled: 1 });
    expect(row.runAt).toBeGreaterThanOrEqual(before + 300_000);
    const at = new Date(Date.now() + 60_000);
    const id2 = await GreetJob.later({ name: 'y' }, { runAt: at.toISOString(), priority: -2 });
    expect(await getJob(await db.engine(), id2)).toMatchObject({ runAt: at.getTime(), priority: -2 });
  });

  it('keeps a title and description given to .later(), in a transaction too, and shows them in the job\'s JSON', async () => {
    const id = await GreetJob.later({ name: 'ada' }, { title: 'Welcome ada', description: 'first mail after sign-up' });
    expect(await getJob(await db.engine(), id)).toMatchObject({ title: 'Welcome ada', description: 'first mail after sign-up' });
    expect(await readJobDetailJson(await db.engine(), id)).toMatchObject({ name: 'greet', title: 'Welcome ada', description: 'first mail after sign-up' });
    const appDb = (await getDatabase()) as FileDatabase;
    let inTx: Promise<string> | undefined;
    appDb.transaction((tx) => {
      inTx = DemoJob.later({ steps: 1 }, { tx, title: 'In a transaction' });
    });
    expect(await getJob(await db.engine(), await inTx!)).toMatchObject({ title: 'In a transaction', description: null });
    expect(await getJob(await db.engine(), await GreetJob.later({ name: 'bo' }))).toMatchObject({ title: null, description: null });
  });

  it('refuses bad params and options with a clear error and writes nothing', async () => {
    const before = await rowCount();
    const refusals = await Promise.all([
      GreetJob.later({ name: '' }),
      GreetJob.later({ name: 'a', extra: new Date() } as never),
      GreetJob.later({ name: 'x'.repeat(3000) }),
      GreetJob.later({ name: 'a' }, { delay: 'soon' }),
      GreetJob.later({ name: 'a' }, { priority: 'urgent' as never }),
      GreetJob.later({ name: 'a' }, { queue: 'no spaces please' }),
      GreetJob.later({ name: 'a' }, { delay: '1m', runAt: new Date() }),
      GreetJob.later({ name: 'a' }, { title: 't'.repeat(201) }),
      GreetJob.later({ name: 'a' }, { description: 'd'.repeat(2_001) }),
      GreetJob.later({ name: 'a' }, { title: 7 as never }),
    ].map((p) => p.then(() => null, (e) => [e.code, e.message])));
    expect(refusals).toEqual([
      ['invalid_params', expect.stringMatching(/params.name/)],
      ['invalid_params', 'params.extra is a Date; params must be plain JSON (objects, arrays, strings, finite numbers, booleans, null)'],
      ['params_too_large', expect.stringMatching(/bytes; the limit is 2048 bytes/)],
      ['bad_request', expect.stringMatching(/Invalid duration "soon"/)],
      ['bad_request', expect.stringMatching(/Invalid priority "urgent"/)],
      ['bad_request', expect.stringMatching(/Invalid queue name/)],
      ['bad_request', 'Give either delay or runAt, not both'],
      ['bad_request', "A job's title is at most 200 characters; this one has 201"],
      ['bad_request', "A job's description is at most 2000 characters; this one has 2001"],
      ['bad_request', "A job's title must be a string, got number"],
    ]);
    expect(await rowCount()).toBe(before);
  });

  it('laterMany stores all of the list or none of it', async () => {
    const before = await rowCount();
    const ids = await DemoJob.laterMany([{ steps: 1 }, { steps: 2 }, { steps: 3 }], { queue: 'bulk' });
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    await expect(DemoJob.laterMany([{ steps: 1 }, { steps: -1 }])).rejects.toThrow(/Invalid params for demo/);
    expect(await rowCount()).toBe(before + 3);
  });

  it('joins a transaction of the app\'s database with the app\'s own table: rolled back with it, committed with it', async () => {
    const engine = await db.engine();
    // An app's own table, as an app's migration would make it, written through the database it gets from @/lib/jobs.
    await engine.run('CREATE TABLE IF NOT EXISTS app_users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)');
    const users = sqliteTable('app_users', { id: integer('id').primaryKey(), email: text('email').notNull() });
    const appDb = (await getDatabase()) as FileDatabase; // a local file: synchronous transactions
    const userCount = () => appDb.select().from(users).all().length;
    const before = await rowCount();
    let rolledBackId: Promise<string> | undefined;
    expect(() =>
      appDb.transaction((tx) => {
        tx.insert(users).values({ email: 'gone@example.com' }).run();
        rolledBackId = DemoJob.later({ steps: 1 }, { tx });
        throw new Error('the app changed its mind');
      }),
    ).toThrow('the app changed its mind');
    await rolledBackId;
    expect(await rowCount()).toBe(before);
    expect(userCount()).toBe(0);
    let committedId: Promise<string> | undefined;
    appDb.transaction((tx) => {
      tx.insert(users).values({ email: 'kept@example.com' }).run();
      committedId = DemoJob.later({ steps: 1 }, { tx });
    });
    expect(await getJob(engine, await committedId!)).toMatchObject({ state: 'pending', name: 'demo' });
    expect(userCount()).toBe(1);
  });
});

describe('.executeFromDatabase()', () => {
  it('runs a stored job here as its owner and records the attempt, logs and progress', async () => {
    const id = await GreetJob.later({ name: 'lin' });
    const { data, metadata } = await GreetJob.executeFromDatabase(id);
    expect(data).toEqual({ greeting: 'hello lin' });
    expect(metadata).toMatchObject({ jobId: id, status: 'completed', attempt: 1 });
    const detail = await getJobDetail(await db.engine(), id.slice(0, 23));
    expect(detail).toMatchObject({ state: 'completed', progress: 100, lockedBy: null });
    expect(detail.attemptHistory).toHaveLength(1);
    expect(JSON.parse(detail.attemptHistory[0].logs!)).toMatchObject([{ level: 'info', message: 'greeting', data: { name: 'lin' } }]);
    expect(detail.progressHistory).toMatchObject([{ percent: 50, message: 'composing' }]);
  });

  it('a failing attempt is retried later, a non-retryable one fails at once; a finished job cannot run again', async () => {
    const retried = await PickyJob.later({ n: 0 });
    const error = await PickyJob.executeFromDatabase(retried).catch((e) => e);
    expect(error.message).toMatch(/failed and will be retried: zero, try again/);
    expect(await getJob(await db.engine(), retried)).toMatchObject({ state: 'pending', attempts: 1, error: 'zero, try again' });

    const doomed = await PickyJob.later({ n: -1 });
    await expect(PickyJob.executeFromDatabase(doomed)).rejects.toThrow(/failed: negative numbers/);
    expect(await getJob(await db.engine(), doomed)).toMatchObject({ state: 'failed', attempts: 1 });
    await expect(PickyJob.executeFromDatabase(doomed)).rejects.toThrow(/is failed; only a pending job can be executed/);
    await expect(GreetJob.executeFromDatabase(retried)).rejects.toThrow(/is a picky job, not greet/);
  });
});

describe('timeouts', () => {
  it('aborts the signal at the timeout; a job that ignores it is abandoned after a grace and its late result ignored', async () => {
    let sawAbort = false;
    const Polite = createJob('polite-sleeper', async (_: Record<string, never>, ctx) => {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 10_000);
        ctx.signal.addEventListener('abort', () => {
          sawAbort = true;
          clearTimeout(timer);
          reject(ctx.signal.reason);
        });
      });
    }, { timeout: 50 });
    const polite = await Polite.now({}).catch((e) => e);
    expect(sawAbort).toBe(true);
    expect(polite.metadata).toMatchObject({ status: 'failed', error: 'Job timed out after 50 ms' });

    const Stubborn = createJob('stubborn', async () => {
      await new Promise((resolve) => setTimeout(resolve, 4_000)); // ignores its signal
      return 'too late';
    }, { timeout: 50 });
    const stubborn = await Stubborn.now({}).catch((e) => e);
    expect(stubborn).toBeInstanceOf(JobFailedError);
    expect(stubborn.metadata.error).toBe('Job timed out after 50 ms');
  });

  it('a timed-out attempt of a stored job is retried while attempts remain', async () => {
    const Slow = createJob('slow-stored', async () => new Promise((resolve) => setTimeout(resolve, 1_000)), { timeout: 30, maxAttempts: 2 });
    const id = await Slow.later({});
    await expect(Slow.executeFromDatabase(id)).rejects.toThrow(/will be retried: Job timed out after 30 ms/);
    const detail = await getJobDetail(await db.engine(), id);
    expect(detail).toMatchObject({ state: 'pending', attempts: 1 });
    expect(detail.attemptHistory.map((a) => a.outcome)).toEqual(['timed_out']);
  });
});
