import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, useTempDatabase } from '../helpers/db';
import { runJobsCli } from '../helpers/processes';
import { simpleParser } from 'mailparser';
import { getJob } from '@/store/queries';

const dataDir = makeTempDir('fluent-jobs-cli-mail-');
const db = useTempDatabase();
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const cli = (...args: string[]) => runJobsCli(args, { DATABASE_URL: db.url, JOBS_DATA_DIR: dataDir, SMTP_URL: '' });

describe('the built-in send-email and http-request jobs from bin/jobs', () => {
  it('types lists both with their defaults and every param', async () => {
    const { code, stdout } = await cli('types', '--json');
    expect(code).toBe(0);
    const types = JSON.parse(stdout) as { name: string; params: { params: { name: string; required: boolean }[] } }[];
    const mail = types.find((t) => t.name === 'send-email')!;
    const http = types.find((t) => t.name === 'http-request')!;
    expect(mail).toMatchObject({ className: 'SendEmailJob', queue: 'mail', maxAttempts: 5, description: expect.stringContaining('SMTP_URL') });
    expect(mail.params.params.map((p) => `${p.name}${p.required ? '' : '?'}`)).toEqual(['to', 'cc?', 'bcc?', 'subject', 'text?', 'html?', 'replyTo?', 'from?', 'attachments?']);
    expect(http).toMatchObject({ className: 'HttpRequestJob', queue: 'http', maxAttempts: 5, backoff: 'exponential from 5.00s, at most 30m 0s' });
    expect(http.params.params).toContainEqual(expect.objectContaining({ name: 'timeoutMs', defaultJson: '30000' }));
    expect(http.params.params).toContainEqual(expect.objectContaining({ name: 'maxResponseBytes', defaultJson: '65536' }));
    expect(http.params.params).toContainEqual(expect.objectContaining({ name: 'responseHeaders', defaultJson: '["content-type"]' }));
    const text = await cli('types');
    expect(text.stdout).toMatch(/^send-email \(SendEmailJob\)$/m);
    expect(text.stdout).toMatch(/^ {4}url: string \(.*http:\/\/ or https:\/\/ only\)$/m);
  });

  it('enqueue send-email takes --param pairs and stores the job for the mail queue', async () => {
    const { code, stdout, stderr } = await cli('enqueue', 'send-email', '--param', 'to=a@b.c', '--param', 'subject=Hi', '--param', 'text=Hello');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const id = /^enqueued send-email (\S+) /.exec(stdout)![1];
    const job = (await getJob(await db.engine(), id))!;
    expect({ queue: job.queue, state: job.state, params: JSON.parse(job.params!) }).toEqual({ queue: 'mail', state: 'pending', params: { to: 'a@b.c', subject: 'Hi', text: 'Hello' } });
  });

  it('enqueue http-request with an ftp:// URL is refused with a one-line message and exit code 2', async () => {
    const { code, stdout, stderr } = await cli('enqueue', 'http-request', '--param', 'url=ftp://x');
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: 'error: Invalid params for http-request: params.url: must be http:// or https://, not ftp://\n' });
  });

  it('run here without SMTP_URL, send-email writes the .eml file (the compiled CLI loads nodemailer)', async () => {
    const { code, stdout } = await cli('send-email', '--param', 'to=Ada <ada@example.com>', '--param', 'subject=From the CLI', '--param', 'html=<p>hi</p>', '--json');
    expect(code).toBe(0);
    const { data } = JSON.parse(stdout);
    expect(data).toMatchObject({ delivery: 'file', accepted: ['ada@example.com'] });
    const parsed = await simpleParser(fs.readFileSync(data.path));
    expect([parsed.subject, (parsed.html || '').trim()]).toEqual(['From the CLI', '<p>hi</p>']);
  });
});
