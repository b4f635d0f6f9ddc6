import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { root, runJobsCli, spawnProcess, stopProcess, waitFor } from '../helpers/processes';
import { SecretJob, sha256, type SecretParams } from '../fixtures/secret-job';
import { getConfig, resetConfig } from '@/config/env';
import { CronPoller } from '@/cron/poller';
import { getDatabase, JobRegistry, type FileDatabase } from '@/lib/jobs';
import { buildNewJob } from '@/lib/jobs/job-spec';
import { readJobDetailJson, readJobsJson } from '@/lib/jobs/json';
import { paramFilters } from '@/lib/jobs/param-filter';
import { addScheduleAs, runScheduleAs, updateScheduleAs } from '@/lib/jobs/schedule-actions';
import { webhookParams, webhookRequest } from '@/lib/webhooks/delivery';
import { syncWebhooks } from '@/lib/webhooks/sync';
import { getSchedule } from '@/store/cron';
import { getJob, getJobDetail, listJobs } from '@/store/queries';

const keyA = crypto.randomBytes(32).toString('base64');
const keyB = crypto.randomBytes(32).toString('base64');
const db = useTempDatabase({ JOBS_ENCRYPTION_KEYS: `A:${keyA}` });
const registry = new JobRegistry([SecretJob]);
const engine = () => db.engine();

/** This process's keys from now on, as a restart with this JOBS_ENCRYPTION_KEYS would have them (undefined: unset). */
function useKeys(value: string | undefined) {
  if (value === undefined) delete process.env.JOBS_ENCRYPTION_KEYS;
  else process.env.JOBS_ENCRYPTION_KEYS = value;
  resetConfig();
}
beforeEach(() => useKeys(`A:${keyA}`));

/** A secret no other test value contains, so finding it anywhere means it leaked. */
const newSecret = (label: string) => `sk_${label}_${crypto.randomBytes(12).toString('hex')}`;

/**
 * The ways a secret could sit in a file in clear: as text, and base64 at each
 * of the three byte alignments (the whole 3-byte groups of the secret from
 * offset 0, 1 and 2), so a base64 anywhere around it is found too.
 */
function clearForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const base64 = [0, 1, 2].map((k) => bytes.subarray(k, k + 3 * Math.floor((bytes.length - k) / 3)).toString('base64'));
  return [secret, ...base64, bytes.toString('hex')];
}

/** Every byte the database has on disk: the main file and its write-ahead log, where a fresh write sits before a checkpoint. */
function databaseBytes(): { file: string; bytes: Buffer }[] {
  return [db.file, `${db.file}-wal`].filter((f) => fs.existsSync(f)).map((file) => ({ file, bytes: fs.readFileSync(file) }));
}

function expectNotOnDisk(...secrets: string[]) {
  const files = databaseBytes();
  expect(files.map((f) => path.basename(f.file))).toContain('jobs.db-wal');
  for (const { file, bytes } of files) {
    for (const form of secrets.flatMap(clearForms)) expect(bytes.includes(form), `${form} in ${path.basename(file)}`).toBe(false);
  }
}

/** A worker process running the secret fixture job with these keys. */
async function secretWorker(keys: string) {
  const worker = spawnProcess([path.join(root, 'test/fixtures/worker.ts')], {
    DATABASE_URL: db.url, FIXTURE_JOBS: 'secret', JOBS_ENCRYPTION_KEYS: keys, JOBS_POLL_INTERVAL_MS: '200',
  });
  await worker.waitForOutput('started');
  return worker;
}

const ended = (id: string) => waitFor(async () => {
  const job = await getJob(await engine(), id);
  return job && (job.state === 'completed' || job.state === 'failed') ? job : null;
}, `job ${id} to end`);

const storedParams = async (id: string) => JSON.parse((await getJob(await engine(), id))!.params) as Record<string, any>;
const keyIdOf = (envelope: { $encrypted: string }) => envelope.$encrypted.split(':')[1];

describe('encrypted params', () => {
  it('are written to neither the database file nor its WAL in clear, and reach perform() in clear in a worker process', async () => {
    const apiKey = newSecret('live');
    const card = newSecret('card');
    const token = newSecret('token');
    const params: SecretParams = { apiKey, card: { number: card, holder: 'Ada' }, recipients: [{ token }], note: 'shown' };
    const id = await SecretJob.later(params);
    const [idMany] = await SecretJob.laterMany([{ apiKey }]);

    const stored = await storedParams(id);
    expect(stored).toEqual({
      apiKey: { $encrypted: expect.stringMatching(/^v1:A:/) }, card: { number: { $encrypted: expect.stringMatching(/^v1:A:/) }, holder: 'Ada' },
      recipients: { $encrypted: expect.stringMatching(/^v1:A:/) }, note: 'shown',
    });
    expect(await storedParams(idMany)).toEqual({ apiKey: { $encrypted: expect.any(String) } });
    expectNotOnDisk(apiKey, card, token);

    const worker = await secretWorker(`A:${keyA}`);
    const done = await ended(id);
    expect(done.state).toBe('completed');
    expect(JSON.parse(done.result!)).toEqual({ apiKey: sha256(apiKey), card: sha256(card), recipients: [sha256(token)], note: 'shown' });
    expect((await ended(idMany)).state).toBe('completed');
    expect(await stopProcess(worker)).toBe(0);
    expect(worker.output()).not.toContain(apiKey);
    expectNotOnDisk(apiKey, card, token);
  });

  it('are encrypted when enqueued in the app\'s transaction too', async () => {
    const apiKey = newSecret('tx');
    const appDb = (await getDatabase()) as FileDatabase;
    let inTx: Promise<string> | undefined;
    appDb.transaction((tx) => {
      inTx = SecretJob.later({ apiKey }, { tx });
    });
    expect((await storedParams(await inTx!)).apiKey.$encrypted).toMatch(/^v1:A:/);
    expectNotOnDisk(apiKey);
  });

  it('show as "[encrypted]" in the job\'s JSON (API, SSE), bin/jobs status --json and its table', async () => {
    const apiKey = newSecret('shown');
    const id = await SecretJob.later({ apiKey, card: { number: '4111111111111111', holder: 'Ada' }, note: 'hello' });
    const masked = { apiKey: '[encrypted]', card: { number: '[encrypted]', holder: 'Ada' }, note: 'hello' };
    expect((await readJobDetailJson(await engine(), id)).params).toEqual(masked);
    expect((await readJobsJson(await engine(), [(await getJob(await engine(), id))!]))[0].params).toEqual(masked);

    // The CLI has no keys at all: what it shows never needed them.
    const env = { DATABASE_URL: db.url, JOBS_ENCRYPTION_KEYS: '' };
    const json = await runJobsCli(['status', id, '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).params).toEqual(masked);
    const table = await runJobsCli(['status', id], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('"apiKey": "[encrypted]"');
    expect(table.stdout).toContain('"number": "[encrypted]"');
    for (const out of [json.stdout, table.stdout]) {
      expect(out).not.toContain('$encrypted');
      expect(out).not.toContain('4111111111111111');
    }
  });

  it('are never matched by a params filter, while the clear params beside them are', async () => {
    const id = await SecretJob.later({ apiKey: newSecret('filter'), card: { number: '4000056655665556', holder: 'Filter Test' } });
    const find = async (pairs: [string, string][]) => (await listJobs(await engine(), { name: 'secret', params: paramFilters(pairs, []), limit: 10 })).map((j) => j.id);
    expect(await find([['card.holder', 'Filter Test']])).toEqual([id]);
    expect(await find([['card.number', '4000056655665556']])).toEqual([]);
    expect(await find([['card.number', 'null']])).toEqual([]);
  });

  it('after a rotation to "B,A", an old job encrypted with A still runs and new ones are encrypted with B', async () => {
    const oldKey = newSecret('old');
    const oldId = await SecretJob.later({ apiKey: oldKey });
    useKeys(`B:${keyB},A:${keyA}`);
    const newKey = newSecret('new');
    const newId = await SecretJob.later({ apiKey: newKey });
    expect(keyIdOf((await storedParams(oldId)).apiKey)).toBe('A');
    expect(keyIdOf((await storedParams(newId)).apiKey)).toBe('B');

    const worker = await secretWorker(`B:${keyB},A:${keyA}`);
    expect(JSON.parse((await ended(oldId)).result!).apiKey).toBe(sha256(oldKey));
    expect(JSON.parse((await ended(newId)).result!).apiKey).toBe(sha256(newKey));
    expect(await stopProcess(worker)).toBe(0);
    expectNotOnDisk(oldKey, newKey);
  });

  it('a job whose key id is gone fails at once, without retries, naming the key id and neither key nor value', async () => {
    const apiKey = newSecret('gone');
    const id = await SecretJob.later({ apiKey });
    const worker = await secretWorker(`B:${keyB}`);
    const done = await ended(id);
    expect(await stopProcess(worker)).toBe(0);
    expect(done).toMatchObject({ state: 'failed', attempts: 1, maxAttempts: 3 });
    expect(done.error).toBe('Cannot decrypt params.apiKey: it is encrypted with key "A", which JOBS_ENCRYPTION_KEYS does not hold (it has "B")');
    const detail = await getJobDetail(await engine(), id);
    expect(detail.attemptHistory.map((a) => a.outcome)).toEqual(['failed']);
    for (const text of [done.error!, detail.attemptHistory[0].errorStack ?? '', worker.output()]) {
      for (const hidden of [apiKey, keyA, keyB]) expect(text).not.toContain(hidden);
    }
  });

  it('a worker that runs an encrypting class refuses to start without JOBS_ENCRYPTION_KEYS, and claims nothing', async () => {
    const id = await SecretJob.later({ apiKey: newSecret('keyless') });
    const worker = spawnProcess([path.join(root, 'test/fixtures/worker.ts')], {
      DATABASE_URL: db.url, FIXTURE_JOBS: 'secret', JOBS_ENCRYPTION_KEYS: '', JOBS_POLL_INTERVAL_MS: '200',
    });
    expect(await worker.exited).not.toBe(0);
    expect(worker.output()).toContain('job "secret" encrypts params (static encrypt) but JOBS_ENCRYPTION_KEYS is not set');
    expect(await getJob(await engine(), id)).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('a changed ciphertext, or one moved to another param, fails the job without retries', async () => {
    const id = await SecretJob.later({ apiKey: newSecret('tamper'), card: { number: '4242424242424242' } });
    const moved = await SecretJob.later({ apiKey: newSecret('moved'), card: { number: '5555555555554444' } });
    const stored = await storedParams(id);
    const parts = stored.apiKey.$encrypted.split(':');
    const ciphertext = Buffer.from(parts[4], 'base64');
    ciphertext[0] ^= 0x01;
    parts[4] = ciphertext.toString('base64');
    await (await engine()).run('UPDATE jobs SET params = ? WHERE id = ?', [JSON.stringify({ ...stored, apiKey: { $encrypted: parts.join(':') } }), id]);
    const other = await storedParams(moved);
    await (await engine()).run('UPDATE jobs SET params = ? WHERE id = ?', [JSON.stringify({ apiKey: other.card.number, card: { number: other.apiKey } }), moved]);

    for (const [jobId, path] of [[id, 'apiKey'], [moved, 'apiKey']]) {
      await expect(SecretJob.executeFromDatabase(jobId)).rejects.toThrow(/failed/);
      const job = (await getJob(await engine(), jobId))!;
      expect(job).toMatchObject({ state: 'failed', attempts: 1 });
      expect(job.error).toMatch(new RegExp(`^Cannot decrypt params\\.${path} with key "A": it does not authenticate`));
    }
  });

  it('of a schedule are stored encrypted, and each fire enqueues a job that runs with the clear value', async () => {
    const apiKey = newSecret('cron');
    const t0 = Date.parse('2026-01-05T08:00:00Z');
    await addScheduleAs(await engine(), registry, { name: 'nightly-secret', job: 'secret', cron: '0 8 * * *', params: { apiKey, note: 'cron' } }, 'cli');
    const schedule = await getSchedule(await engine(), 'nightly-secret');
    expect(JSON.parse(schedule.params)).toEqual({ apiKey: { $encrypted: expect.stringMatching(/^v1:A:/) }, note: 'cron' });
    expectNotOnDisk(apiKey);

    const shown = await runJobsCli(['schedule', 'show', 'nightly-secret', '--json'], { DATABASE_URL: db.url });
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).params).toEqual({ apiKey: '[encrypted]', note: 'cron' });

    // A fire after a rotation: the schedule keeps A's value, the job it enqueues is encrypted with B.
    useKeys(`B:${keyB},A:${keyA}`);
    await (await engine()).run('UPDATE cron_jobs SET next_run_at = ? WHERE name = ?', [t0, 'nightly-secret']);
    const log = { info: () => {}, error: (line: string) => { throw new Error(line); } };
    const poller = new CronPoller({ engine: await engine(), config: getConfig(), registry, log, now: () => t0 });
    expect(await poller.tick(t0 + 1_000)).toBe(1);
    const [fired] = await listJobs(await engine(), { scheduleName: 'nightly-secret', limit: 10 });
    expect(keyIdOf((await storedParams(fired.id)).apiKey)).toBe('B');
    const ran = await SecretJob.executeFromDatabase(fired.id);
    expect(ran.data).toEqual({ apiKey: sha256(apiKey), card: null, recipients: [], note: 'cron' });

    const runNow = await runScheduleAs(await engine(), registry, 'nightly-secret', 'cli');
    expect((await SecretJob.executeFromDatabase(runNow.id)).data.apiKey).toBe(sha256(apiKey));
    const newKey = newSecret('cron-new');
    await updateScheduleAs(await engine(), registry, 'nightly-secret', { params: { apiKey: newKey } }, 'cli');
    expect(keyIdOf(JSON.parse((await getSchedule(await engine(), 'nightly-secret')).params).apiKey)).toBe('B');
    expectNotOnDisk(apiKey, newKey);
  });

  it('cannot be enqueued without JOBS_ENCRYPTION_KEYS, with a clear config error, and nothing is stored', async () => {
    useKeys(undefined);
    const before = (await listJobs(await engine(), { name: 'secret', limit: 1000 })).length;
    const refused = SecretJob.later({ apiKey: newSecret('nokeys') });
    await expect(refused).rejects.toMatchObject({ code: 'config' });
    await expect(refused).rejects.toThrow(/^The secret job encrypts params \(static encrypt: apiKey, card\.number, recipients\), and JOBS_ENCRYPTION_KEYS is not set: set it/);
    await expect(addScheduleAs(await engine(), registry, { name: 'no-keys', job: 'secret', cron: '0 2 * * *', params: { apiKey: 'sk_x' } }, 'cli')).rejects.toMatchObject({ code: 'config' });
    expect((await listJobs(await engine(), { name: 'secret', limit: 1000 })).length).toBe(before);
  });

  it('run with .now() in process, without keys, as they would in a worker', async () => {
    useKeys(undefined);
    const apiKey = newSecret('now');
    expect((await SecretJob.now({ apiKey, card: { number: '1' } })).data).toMatchObject({ apiKey: sha256(apiKey), card: sha256('1') });
  });

  it('count toward the size limit as stored, encrypted', () => {
    const params = { apiKey: `sk_${'x'.repeat(250)}` };
    const config = { ...getConfig(), maxParamsBytes: 400 };
    expect(JSON.stringify(params).length).toBeLessThan(400);
    expect(() => buildNewJob(SecretJob, params, {}, config, Date.now())).toThrow(expect.objectContaining({ code: 'params_too_large' }));
  });

  it('given already encrypted are checked: one that does not decrypt is refused at enqueue', async () => {
    const bogus = { $encrypted: `v1:A:${Buffer.alloc(12).toString('base64')}:${Buffer.alloc(16).toString('base64')}:AAAA` };
    await expect(SecretJob.later({ apiKey: bogus } as unknown as SecretParams)).rejects.toMatchObject({ code: 'invalid_params', message: expect.stringMatching(/^Cannot decrypt params\.apiKey with key "A"/) });
  });

  it('a class that lists a path that is not given (an optional param) stores the rest and runs', async () => {
    const apiKey = newSecret('optional');
    const id = await SecretJob.later({ apiKey });
    expect(Object.keys(await storedParams(id))).toEqual(['apiKey']);
    expect((await SecretJob.executeFromDatabase(id)).data).toEqual({ apiKey: sha256(apiKey), card: null, recipients: [], note: null });
  });

  it('reach a webhook receiver as "[encrypted]", and the delivery stored with the job\'s end holds no clear text', async () => {
    const config = { ...getConfig(), webhookUrl: 'http://127.0.0.1:9/hooks', webhookSecret: 'a-webhook-secret-of-some-length' };
    await syncWebhooks(await engine(), registry, config);
    try {
      const apiKey = newSecret('hook');
      const id = await SecretJob.later({ apiKey, note: 'hooked' });
      await SecretJob.executeFromDatabase(id);
      const [delivery] = await (await engine()).all<{ id: string; params: string }>(`SELECT id, params FROM jobs WHERE name = 'http-request'`);
      expect(delivery.params).toContain('"$encrypted"');
      const { body } = await webhookRequest(await engine(), config, delivery.id, webhookParams.parse(JSON.parse(delivery.params).webhook));
      expect(JSON.parse(body).job.params).toEqual({ apiKey: '[encrypted]', note: 'hooked' });
      expectNotOnDisk(apiKey);
    } finally {
      await syncWebhooks(await engine(), registry, { ...config, webhookUrl: undefined });
    }
  });
});
