import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DemoJob } from '@/jobs/demo';
import { addSchedule } from '@/store/cron';
import { getJob } from '@/store/queries';
import { useTempDatabase } from '../helpers/db';
import { root, spawnProcess, spawnWorker, stopProcess, waitFor, type Spawned } from '../helpers/processes';

// LOG_FORMAT=json: a worker process and a cron poller write one JSON object per line, and nothing else.
const db = useTempDatabase();
const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Every line the process wrote (stdout and stderr), each parsed: a line that is not one JSON object fails the test. */
function jsonLines(spawned: Spawned): Record<string, unknown>[] {
  const lines = spawned.output().split('\n').filter((line) => line !== '');
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line) => {
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(line)), line).not.toThrow();
    expect(parsed, line).toBeTypeOf('object');
    return parsed as Record<string, unknown>;
  });
}

function expectCommonFields(entries: Record<string, unknown>[], processName: string): void {
  for (const entry of entries) {
    expect(entry, JSON.stringify(entry)).toMatchObject({ time: expect.stringMatching(iso), level: expect.stringMatching(/^(debug|info|warn|error)$/), process: processName, event: expect.any(String), message: expect.any(String) });
  }
}

const ended = async (id: string) => ['completed', 'failed', 'cancelled'].includes((await getJob(await db.engine(), id))!.state);

describe('LOG_FORMAT=json', () => {
  it('makes a worker write one JSON object per line, with the job\'s id, name, attempt, run time and error, and its own logger lines', async () => {
    const worker = spawnWorker({ DATABASE_URL: db.url, LOG_FORMAT: 'json', JOBS_POLL_INTERVAL_MS: '50', JOBS_QUEUES: 'json-logs' });
    await worker.waitForOutput('"event":"worker.started"');
    const ok = await DemoJob.later({ steps: 1, delayMs: 1, message: 'hello' }, { queue: 'json-logs' });
    const failing = await DemoJob.later({ steps: 0, failTimes: 5 }, { queue: 'json-logs', maxAttempts: 2 });
    await waitFor(async () => (await ended(ok)) && (await ended(failing)), 'both jobs to end');
    expect(await stopProcess(worker)).toBe(0);

    const entries = jsonLines(worker);
    expectCommonFields(entries, 'worker');
    const of = (id: string, event: string) => entries.filter((e) => e.jobId === id && e.event === event);
    expect(of(ok, 'job.started')).toEqual([expect.objectContaining({ level: 'info', jobName: 'demo', attempt: 1 })]);
    expect(of(ok, 'job.completed')).toEqual([expect.objectContaining({ jobName: 'demo', attempt: 1, durationMs: expect.any(Number) })]);
    // The job's own this.logger line, as the attempt row stores it, with its data.
    expect(of(ok, 'job.log')).toEqual([expect.objectContaining({ level: 'info', jobName: 'demo', attempt: 1, message: expect.stringContaining('starting'), data: { steps: 1, delayMs: 1, attempt: 1 } })]);
    expect(of(failing, 'job.retrying')).toEqual([expect.objectContaining({ level: 'warn', attempt: 1, error: 'Demo failure 1 of 5 (failTimes)' })]);
    expect(of(failing, 'job.failed')).toEqual([expect.objectContaining({ level: 'error', attempt: 2, error: 'Demo failure 2 of 5 (failTimes)' })]);
    expect(of(failing, 'job.log').map((e) => e.attempt)).toEqual([1, 2]);
    expect(entries.map((e) => e.event)).toEqual(expect.arrayContaining(['worker.started', 'worker.signal', 'worker.stopped']));
  });

  it('makes a cron poller write one JSON object per line, errors on stderr included, with the schedule, fire time and job', async () => {
    const engine = await db.engine();
    const now = Date.now();
    const schedule = (name: string, jobName: string, from: number) =>
      addSchedule(engine, { name, jobName, cron: '* * * * * *', timezone: 'UTC', params: '{"steps":0}', description: null, misfire: 'skip' }, from, now);
    await schedule('json-every-second', 'demo', Math.ceil(now / 1000) * 1000);
    await schedule('json-missed', 'demo', now - 3_600_000); // an hour of missed fires: skipped and counted
    await schedule('json-unknown-job', 'no-such-job', Math.ceil(now / 1000) * 1000);
    const poller = spawnProcess([path.join(root, 'src/cron/main.ts')], { DATABASE_URL: db.url, LOG_FORMAT: 'json' });
    await poller.waitForOutput(/"event":"cron.fired".*"schedule":"json-every-second"/);
    await poller.waitForOutput(/"event":"cron.fire_failed".*"schedule":"json-unknown-job"/);
    expect(await stopProcess(poller)).toBe(0);

    const entries = jsonLines(poller);
    expectCommonFields(entries, 'cron');
    const fired = entries.find((e) => e.event === 'cron.fired' && e.schedule === 'json-every-second')!;
    expect(fired).toMatchObject({ level: 'info', jobName: 'demo', fireAt: expect.stringMatching(iso), jobId: expect.any(String) });
    expect((await getJob(engine, fired.jobId as string))?.scheduleName).toBe('json-every-second');
    expect(entries).toContainEqual(expect.objectContaining({ event: 'cron.missed', schedule: 'json-missed' }));
    expect(entries).toContainEqual(expect.objectContaining({ event: 'cron.fire_failed', level: 'error', error: 'no job named "no-such-job" is registered' }));
    expect(entries.map((e) => e.event)).toEqual(expect.arrayContaining(['cron.started', 'cron.signal', 'cron.stopped']));
  });

  it('writes even a bad configuration\'s message as a JSON line, and refuses a LOG_FORMAT it does not know with a readable one', async () => {
    const badConfig = spawnWorker({ DATABASE_URL: db.url, LOG_FORMAT: 'json', JOBS_CONCURRENCY: 'many' });
    expect(await badConfig.exited).toBe(1);
    expect(jsonLines(badConfig)).toEqual([expect.objectContaining({ level: 'error', process: 'worker', event: 'console', message: expect.stringContaining('JOBS_CONCURRENCY') })]);

    const badFormat = spawnWorker({ DATABASE_URL: db.url, LOG_FORMAT: 'yaml' });
    expect(await badFormat.exited).toBe(1);
    expect(badFormat.output().trim()).toBe('Invalid configuration: LOG_FORMAT: must be text or json, got "yaml"');
  });
});

describe('the default format', () => {
  it('keeps a worker\'s readable lines, and adds the job\'s own logger lines among them', async () => {
    const worker = spawnWorker({ DATABASE_URL: db.url, JOBS_POLL_INTERVAL_MS: '50', JOBS_QUEUES: 'text-logs' });
    await worker.waitForOutput(/worker \S+ started/);
    const id = await DemoJob.later({ steps: 0, delayMs: 0 }, { queue: 'text-logs' });
    await waitFor(() => ended(id), 'the job to end');
    expect(await stopProcess(worker)).toBe(0);
    const text = worker.output();
    const short = id.slice(0, 13);
    expect(text).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} started   demo ${short} attempt 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} log       demo ${short} attempt 1 info: starting \\{"steps":0,"delayMs":0,"attempt":1\\}$`, 'm'));
    expect(text).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} completed demo ${short} in \\d+ms$`, 'm'));
    expect(text).toMatch(/^SIGTERM: finishing 0 running job\(s\), taking no new ones$/m);
    expect(text).not.toMatch(/^\{/m);
  });
});
