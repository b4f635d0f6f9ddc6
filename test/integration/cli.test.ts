import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { runJobsCli } from '../helpers/processes';
import { countByState, getJob } from '@/store/queries';
import { enqueueJobs } from '@/store/enqueue';

const db = useTempDatabase();
const env = () => ({ DATABASE_URL: db.url, JOBS_MAX_PARAMS_BYTES: '512' });
const cli = (...args: string[]) => runJobsCli(args, env());
const total = async () => Object.values(await countByState(await db.engine())).reduce((a, b) => a + b, 0);

describe('bin/jobs', () => {
  it('with no arguments prints help with every command and examples', async () => {
    const { code, stdout } = await cli();
    expect(code).toBe(0);
    for (const command of ['types', 'list', 'status', 'enqueue', 'worker', 'migrate', '<job-name>', 'Examples:']) expect(stdout).toContain(command);
  });

  it('types lists the demo job', async () => {
    const { code, stdout } = await cli('types', '--json');
    expect(code).toBe(0);
    const types = JSON.parse(stdout);
    expect(types).toContainEqual(expect.objectContaining({ name: 'demo', className: 'DemoJob', queue: 'default', priority: 0, maxAttempts: 3, timeoutMs: 60_000, backoff: 'fixed 100ms', schedule: null }));
    const demo = types.find((t: { name: string }) => t.name === 'demo');
    expect(demo.params).toMatchObject({ kind: 'object', extraAllowed: false });
    expect(demo.params.params).toContainEqual({ name: 'steps', type: 'integer', required: false, defaultJson: '10', notes: ['0 to 10000'] });
    expect(JSON.parse(stdout)).toContainEqual(expect.objectContaining({ name: 'cleanup', schedule: '0 * * * * (UTC)' }));
  });

  it('runs a job now, by name or class name, and prints its result', async () => {
    const byName = await cli('demo', '--param', 'steps=2', '--param', 'delayMs=1', '--param', 'message=hey there');
    expect(byName.code).toBe(0);
    expect(byName.stdout).toMatch(/completed in \d+ ms/);
    expect(byName.stdout).toContain('"message": "hey there"');
    const byClass = await cli('DemoJob', '--params', '{"steps":1,"delayMs":1}', '--json');
    expect(JSON.parse(byClass.stdout)).toMatchObject({ data: { steps: 1, attempt: 1 }, metadata: { jobName: 'demo', status: 'completed' } });
    const failing = await cli('demo', '--param', 'steps=1', '--param', 'failTimes=1');
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('error: demo failed: Demo failure 1 of 1 (failTimes)');
  });

  it('enqueues with options, then shows the job by a unique prefix', async () => {
    const { code, stdout } = await cli('enqueue', 'demo', '--param', 'steps=3', '--priority', 'high', '--queue', 'cli', '--delay', '10m', '--max-attempts', '7', '--json');
    expect(code).toBe(0);
    const { id } = JSON.parse(stdout);
    expect(await getJob(await db.engine(), id)).toMatchObject({ queue: 'cli', priority: 5, maxAttempts: 7, scheduled: 1, params: '{"steps":3}' });

    const status = await cli('status', id.slice(0, 18), '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id, state: 'pending', params: { steps: 3 }, attemptHistory: [] });
    const human = await cli('status', id.replace(/-/g, '').slice(0, 14));
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(id);
    expect(human.stdout).toContain('scheduled');

    const list = await cli('list', '--queue', 'cli', '--json');
    expect(JSON.parse(list.stdout).map((j: { id: string }) => j.id)).toEqual([id]);
  });

  it('status shows a job\'s title under its id and its description in a part of its own', async () => {
    const now = Date.now();
    const [id] = await enqueueJobs(await db.engine(), [{
      id: '019a885b-230f-7479-bb63-56f68f970ab1', name: 'demo', queue: 'titled', priority: 0, params: '{}', maxAttempts: 3, backoff: null,
      timeoutMs: 60_000, runAt: now + 600_000, idempotencyKey: null, title: 'Nightly \u001b[31mdemo', description: 'tries things\nover two lines',
    }], now);
    const { code, stdout } = await cli('status', id);
    expect(code).toBe(0);
    expect(stdout).toMatch(/│ title\s+│ Nightly \ufffd\[31mdemo/); // a control character an API client sent cannot drive the terminal
    expect(stdout).toContain('description\ntries things\nover two lines\n\nparams');
    expect((await cli('status', id, '--json')).stdout).toContain('"title": "Nightly \\u001b[31mdemo"');
  });

  it('an idempotency key returns the live job instead of a second one', async () => {
    const first = JSON.parse((await cli('enqueue', 'demo', '--key', 'nightly-1', '--json')).stdout);
    const again = await cli('enqueue', 'demo', '--key', 'nightly-1', '--json');
    expect(JSON.parse(again.stdout)).toEqual(first); // --json prints the stored job: the live one
    expect(again.stderr).toContain(`demo with key "nightly-1" is already pending or running: ${first.id}`);
  });

  it('refuses bad input with a message, the right exit code, no stack trace, and writes nothing', async () => {
    const engine = await db.engine();
    const [a, b] = ['01a0aaaa-0000-7000-8000-000000000001', '01a0aaaa-0000-7000-8000-000000000002'];
    const row = { name: 'demo', queue: 'x', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: 0, idempotencyKey: null };
    await enqueueJobs(engine, [{ ...row, id: a }, { ...row, id: b }], 0);
    const before = await total();
    const cases: [string[], number, RegExp][] = [
      [['enqueue', 'no-such-job'], 2, /Unknown job "no-such-job". Registered jobs: cleanup, database-backup, demo, http-request, report, send-email/],
      [['no-such-job'], 2, /Unknown job "no-such-job"/],
      [['enqueue', 'demo', '--params', '{not json'], 2, /--params is not valid JSON/],
      [['enqueue', 'demo', '--param', 'message={"a":'], 2, /the value is not valid JSON/],
      [['enqueue', 'demo', '--param', `message=${'x'.repeat(900)}`], 2, /bytes; the limit is 512 bytes/],
      [['enqueue', 'demo', '--param', 'steps=-4'], 2, /Invalid params for demo: params.steps/],
      [['enqueue', 'demo', '--param', 'colour=red'], 2, /Invalid params for demo/],
      [['enqueue', 'demo', '--delay', 'whenever'], 2, /Invalid duration "whenever"/],
      [['enqueue', 'demo', '--bogus'], 2, /Unknown option '--bogus'/],
      [['enqueue'], 2, /Give one job name/],
      [['status', 'ffffffff'], 1, /No job matches "ffffffff"/],
      [['status', 'zz'], 2, /not a job id or a prefix/],
      [['status', '01a0aaaa'], 1, new RegExp(`"01a0aaaa" matches 2 jobs; give more characters:\\s+${a}\\s+${b}`)],
      [['list', '--status', 'done'], 2, /Unknown status "done"/],
      [['list', '--limit', 'lots'], 2, /--limit must be a whole number/],
      [['--frobnicate'], 2, /Unknown option --frobnicate/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(...args);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(await total()).toBe(before);
  });

  it('status --watch follows a job to its end with a progress bar', async () => {
    const { stdout } = await cli('enqueue', 'demo', '--param', 'steps=3', '--param', 'delayMs=1', '--queue', 'watch', '--json');
    const { id } = JSON.parse(stdout);
    const watching = runJobsCli(['status', id, '--watch'], env());
    const worker = await cli('worker', '--queue', 'watch', '--drain');
    expect(worker.code).toBe(0);
    const watched = await watching;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/completed/);
    expect(watched.stdout).toContain('Step 3 of 3');
  });

  it('migrate says the database is up to date', async () => {
    const { code, stdout } = await cli('migrate');
    expect(code).toBe(0);
    expect(stdout).toContain('is up to date');
  });
});
