import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { runJobsCli } from '../helpers/processes';
import { enqueueJobs } from '@/store/enqueue';
import { shortJobId } from '@/core/ids';

const db = useTempDatabase();
const cli = (args: string[], env: Record<string, string> = {}) => runJobsCli(args, { DATABASE_URL: db.url, ...env });
const row = { name: 'demo', priority: 0, maxAttempts: 3, backoff: null, timeoutMs: 1000, runAt: 0, idempotencyKey: null };

// Stored directly, since the demo job's params schema would refuse them: what a job of the app's own could hold.
const secretJob = '019a885b-230f-7479-bb63-56f68f970aa1';
const secretParams = { to: 'a@b.c', account: { name: 'ada', apiKey: 'sk-live-123', hooks: [{ url: 'https://x', Authorization: 'Bearer abc' }] } };
// Three jobs of one laterMany: the same first 13 characters.
const batch = ['019a885c-1111-7000-8000-00000000a001', '019a885c-1111-7000-8000-00000000b002', '019a885c-1111-7000-8000-00000000c003'];
const child = '019a885d-0000-7000-8000-0000000c4111';

beforeAll(async () => {
  const engine = await db.engine();
  await enqueueJobs(engine, [
    { ...row, id: secretJob, queue: 'secrets', params: JSON.stringify(secretParams) },
    ...batch.map((id) => ({ ...row, id, queue: 'batch', params: '{}' })),
  ], 0);
  await enqueueJobs(engine, [{ ...row, id: child, queue: 'children', params: '{}', dependsOn: [batch[2], batch[0]] }], 0);
});

describe('bin/jobs --json prints the job in its one public shape', () => {
  it('list --json masks a nested apiKey, and an Authorization inside an array, and shows no internal field', async () => {
    const { code, stdout } = await cli(['list', '--queue', 'secrets', '--json']);
    expect(code).toBe(0);
    const [job] = JSON.parse(stdout);
    expect(job.params).toEqual({ to: 'a@b.c', account: { name: 'ada', apiKey: '[redacted]', hooks: [{ url: 'https://x', Authorization: '[redacted]' }] } });
    expect(stdout).not.toContain('sk-live-123');
    expect(stdout).not.toContain('Bearer abc');
    expect(Object.keys(job)).toEqual([
      'id', 'name', 'title', 'description', 'queue', 'state', 'label', 'priority', 'params', 'result', 'error', 'progress', 'attempts', 'maxAttempts', 'runAt',
      'createdAt', 'startedAt', 'completedAt', 'lease', 'idempotencyKey', 'concurrencyKey', 'schedule', 'dependsOn', 'cancelRequested',
    ]);
    expect(job).toMatchObject({ id: secretJob, state: 'pending', label: 'pending', runAt: '1970-01-01T00:00:00.000Z', cancelRequested: false, lease: null, dependsOn: [] });
  });

  it('status --json masks the same, and adds the attempt and progress histories', async () => {
    const { code, stdout } = await cli(['status', secretJob, '--json']);
    expect(code).toBe(0);
    const job = JSON.parse(stdout);
    expect(job.params.account.apiKey).toBe('[redacted]');
    expect(job).toMatchObject({ id: secretJob, attemptHistory: [], progressHistory: [] });
    expect(stdout).not.toContain('sk-live-123');
  });

  it('list --json gives each job its parents, and blocked as the label of one waiting for them', async () => {
    const listed = JSON.parse((await cli(['list', '--json', '--limit', '10'])).stdout) as { id: string; dependsOn: string[]; label: string }[];
    const byId = new Map(listed.map((j) => [j.id, j]));
    expect(byId.get(child)).toMatchObject({ dependsOn: [batch[0], batch[2]], label: 'blocked' });
    expect(byId.get(batch[0])?.dependsOn).toEqual([]);
  });

  it('enqueue --json prints the stored job, masked by JOBS_REDACT_KEYS', async () => {
    const { code, stdout } = await cli(['enqueue', 'demo', '--param', 'message=hello', '--param', 'steps=2', '--queue', 'enq', '--delay', '1h', '--json'], { JOBS_REDACT_KEYS: 'Message' });
    expect(code).toBe(0);
    const job = JSON.parse(stdout);
    expect(job).toMatchObject({ name: 'demo', queue: 'enq', state: 'pending', label: 'scheduled', params: { message: '[redacted]', steps: 2 }, attempts: 0, maxAttempts: 3 });
    expect(Date.parse(job.runAt) - Date.parse(job.createdAt)).toBe(3_600_000);
    expect(JSON.parse((await cli(['list', '--queue', 'enq', '--json'], { JOBS_REDACT_KEYS: 'Message' })).stdout)).toEqual([job]);
    // The mask is applied when shown: stored as given, and not masked under the default keys.
    expect(JSON.parse((await cli(['list', '--queue', 'enq', '--json'])).stdout)[0].params).toEqual({ message: 'hello', steps: 2 });
  });

  it("status --json of a failed job shows its error and its attempt's log data masked", async () => {
    const env = { JOBS_REDACT_KEYS: 'delayMs' };
    const { id } = JSON.parse((await cli(['enqueue', 'demo', '--param', 'steps=1', '--param', 'delayMs=1', '--param', 'failTimes=1', '--max-attempts', '1', '--queue', 'fails', '--json'])).stdout);
    expect((await cli(['worker', '--queue', 'fails', '--drain'])).code).toBe(0);
    const job = JSON.parse((await cli(['status', id, '--json'], env)).stdout);
    expect(job).toMatchObject({ state: 'failed', label: 'failed', error: { message: 'Demo failure 1 of 1 (failTimes)', name: 'Error' }, params: { delayMs: '[redacted]' } });
    expect(job.completedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(job.attemptHistory).toHaveLength(1);
    expect(job.attemptHistory[0]).toMatchObject({ attempt: 1, outcome: 'failed', error: { message: 'Demo failure 1 of 1 (failTimes)', name: 'Error' } });
    expect(job.attemptHistory[0].stack).toContain('Error: Demo failure 1 of 1');
    expect(job.attemptHistory[0].logs[0]).toMatchObject({ level: 'info', message: 'starting', data: { steps: 1, delayMs: '[redacted]', attempt: 1 } });
    const human = await cli(['status', id], env);
    expect(human.stdout).toContain('"delayMs": "[redacted]"');
    expect(human.stdout).toContain('starting {"steps":1,"delayMs":"[redacted]","attempt":1}');
  });
});

describe('bin/jobs tables', () => {
  it('status shows the masked params, never the secret', async () => {
    const { code, stdout } = await cli(['status', shortJobId(secretJob)]);
    expect(code).toBe(0);
    expect(stdout).toContain('"apiKey": "[redacted]"');
    expect(stdout).toContain('"Authorization": "[redacted]"');
    expect(stdout).not.toContain('sk-live-123');
    expect(stdout).toContain(`${secretJob} (019a885b…0aa1)`);
  });

  it('list shows the short id, which tells apart the jobs of one laterMany', async () => {
    const { stdout } = await cli(['list', '--queue', 'batch']);
    for (const id of batch) expect(stdout).toContain(shortJobId(id));
    expect(new Set(batch.map(shortJobId)).size).toBe(3);
    expect(stdout).not.toContain(batch[0]);
  });
});

describe('bin/jobs takes the ids a person can type', () => {
  it('the short form shown in a table, with … or ..., names one job of a laterMany', async () => {
    for (const id of batch) {
      for (const typed of [shortJobId(id), shortJobId(id).replace('…', '...')]) {
        const { code, stdout } = await cli(['status', typed, '--json']);
        expect({ typed, code }).toEqual({ typed, code: 0 });
        expect(JSON.parse(stdout).id).toBe(id);
      }
    }
  });

  it('a unique tail names a job, and the 13 characters they share list the matches', async () => {
    const tail = await cli(['status', 'b002', '--json']);
    expect(tail.code).toBe(0);
    expect(JSON.parse(tail.stdout).id).toBe(batch[1]);
    const shared = await cli(['status', batch[0].slice(0, 13)]);
    expect(shared.code).toBe(1);
    expect(shared.stderr).toContain(`"${batch[0].slice(0, 13)}" matches 3 jobs; give more characters:\n  ${batch.join('\n  ')}`);
  });

  it('cancel takes a tail too, since every command resolves ids the same way', async () => {
    const { code } = await cli(['cancel', 'c4111']);
    expect(code).toBe(0);
    expect(JSON.parse((await cli(['status', '…c4111', '--json'])).stdout)).toMatchObject({ id: child, state: 'cancelled', label: 'cancelled' });
  });
});
