import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server';
import { runJobsCli } from '../helpers/processes';
import { HttpRequestJob } from '@/jobs';
import { executeFromDatabase } from '@/lib/jobs/execute-from-database';
import { getJob } from '@/store/queries';

const db = useTempDatabase();
let receiver: TestHttpServer;
const cli = (...args: string[]) => runJobsCli(['alerts', ...args], { DATABASE_URL: db.url });

beforeAll(async () => {
  receiver = await startHttpServer();
});
afterAll(() => receiver.close());

describe('bin/jobs alerts', () => {
  it('add stores a rule, list shows it with the Slack URL cut to its host, test sends a notification now, remove deletes it', async () => {
    const slack = `slack:${receiver.origin}/services/T0/B0/secret-token`;
    const added = await cli('add', '--name', 'mail-failing', '--kind', 'failure-rate', '--job', 'send-email', '--threshold', '20%', '--window', '30m', '--notify', slack);
    expect({ code: added.code, stderr: added.stderr }).toEqual({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(/^added alert rule mail-failing \(failure-rate\)/);

    const listed = await cli('list', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([{
      name: 'mail-failing', kind: 'failure-rate', watches: 'job send-email', threshold: 20, windowMs: 30 * 60_000, minCount: 10,
      notify: `slack:${receiver.origin}/…`, firing: [],
    }]);
    const table = await cli('list');
    expect(table.stdout).toMatch(/mail-failing .*failure-rate .*job send-email .*20% \(min 10\)/);
    expect(table.stdout).not.toMatch(/secret-token/);

    const tested = await cli('test', 'mail-failing');
    expect(tested.code).toBe(0);
    const jobId = /job (\S+) \(a worker delivers it\)/.exec(tested.stdout)![1];
    expect((await getJob(await db.engine(), jobId))?.name).toBe('http-request');
    await executeFromDatabase(HttpRequestJob, jobId);
    expect(receiver.received.map((r) => [r.url, JSON.parse(r.body)])).toEqual([
      ['/services/T0/B0/secret-token', { text: '[TEST] alert mail-failing (failure-rate): a test notification, sent by hand' }],
    ]);

    const removed = await cli('remove', 'mail-failing');
    expect({ code: removed.code, stdout: removed.stdout.trim() }).toEqual({ code: 0, stdout: 'removed alert rule mail-failing' });
    expect(JSON.parse((await cli('list', '--json')).stdout)).toEqual([]);
  });

  it('usage errors exit 2 with a one-line message; an unknown rule exits 1; a taken name is a conflict', async () => {
    const cases: [string[], RegExp][] = [
      [['add', '--name', 'x', '--kind', 'nope', '--notify', 'email:a@b.c'], /--kind must be one of failure-rate, queue-age, no-worker, schedule-missed, job-failed/],
      [['add', '--name', 'x', '--kind', 'failure-rate', '--queue', 'q', '--notify', 'email:a@b.c'], /needs --threshold P/],
      [['add', '--name', 'x', '--kind', 'failure-rate', '--threshold', '5', '--notify', 'email:a@b.c'], /needs --job J or --queue Q/],
      [['add', '--name', 'x', '--kind', 'queue-age', '--threshold', 'soon', '--notify', 'email:a@b.c'], /Invalid duration "soon"/],
      [['add', '--name', 'x', '--kind', 'no-worker', '--notify', 'pager:123'], /--notify must be slack:URL, webhook:URL or email:ADDRESS/],
      [['add', '--name', 'x', '--kind', 'no-worker', '--notify', 'slack:not-a-url'], /needs an http:\/\/ or https:\/\/ URL/],
      [['add', '--name', 'x', '--kind', 'no-worker', '--notify', 'email:a@b.c', '--bogus'], /Unknown option '--bogus'/],
      [['add', '--kind', 'no-worker', '--notify', 'email:a@b.c'], /--name is required/],
      [['add', '--name', 'x', '--kind', 'no-worker', '--notify', `webhook:https://h.example/${'x'.repeat(9_000)}`], /Invalid params for http-request: params\.url: Too big/],
      [['frobnicate'], /Unknown alerts command "frobnicate"/],
      [['remove'], /Give one alert rule name/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(...args);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
    const missing = await cli('test', 'nope');
    expect({ code: missing.code, stderr: missing.stderr.trim() }).toEqual({ code: 1, stderr: expect.stringMatching(/No alert rule named "nope"/) });
    expect((await cli('add', '--name', 'dup', '--kind', 'no-worker', '--notify', 'email:a@b.c')).code).toBe(0);
    const taken = await cli('add', '--name', 'dup', '--kind', 'no-worker', '--notify', 'email:a@b.c');
    expect({ code: taken.code, stderr: taken.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/already exists/) });
  });
});
