import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, useTempDatabase } from '../helpers/db';
import { runOneAttempt } from '../helpers/attempts';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server';
import { resetConfig } from '@/config/env';
import { JobsError } from '@/core/errors';
import { SendEmailJob, type SendEmailParams, type SendEmailResult } from '@/jobs';
import { getJobDetail } from '@/store/queries';

const dataDir = makeTempDir('fluent-jobs-mail-data-');
const db = useTempDatabase({ JOBS_DATA_DIR: dataDir });
// Characters that must be percent-encoded in the URL, so the test proves the login is decoded right.
const password = 'p@ss:w/rd s3cret';
let smtp: TestSmtpServer;

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => (v.name ? `${v.name} <${v.address}>` : v.address)));

function useSmtpUrl(url: string | undefined): void {
  if (url === undefined) delete process.env.SMTP_URL;
  else process.env.SMTP_URL = url;
  resetConfig();
}

beforeAll(async () => {
  smtp = await startSmtpServer('mailer', password);
});
afterAll(async () => {
  useSmtpUrl(undefined);
  await smtp.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  smtp.received.length = 0;
  smtp.onRecipient = () => null;
});

const simple: SendEmailParams = { to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada' };

describe('send-email through a real SMTP server', () => {
  beforeAll(() => useSmtpUrl(smtp.url));

  it('logs in and delivers the headers, both bodies and the attachments as given; Bcc is in the envelope only', async () => {
    const file = path.join(makeTempDir(), 'report.csv');
    fs.writeFileSync(file, 'id,total\n1,42\n');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
    const { data } = await SendEmailJob.now({
      from: 'Billing <billing@example.com>',
      to: ['Ada Lovelace <ada@example.com>', 'bob@example.com'],
      cc: 'carol@example.com',
      bcc: 'audit@example.com',
      replyTo: 'support@example.com',
      subject: 'Your invoice — März',
      text: 'Plain body',
      html: '<p>HTML <b>body</b></p>',
      attachments: [
        { filename: 'report.csv', path: file },
        { filename: 'logo.png', content: png.toString('base64'), contentType: 'image/png' },
      ],
    });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.user).toBe('mailer');
    expect(mail.from).toBe('billing@example.com');
    expect(mail.to.sort()).toEqual(['ada@example.com', 'audit@example.com', 'bob@example.com', 'carol@example.com']);

    const parsed = await simpleParser(mail.raw);
    expect(addresses(parsed.from)).toEqual(['Billing <billing@example.com>']);
    expect(addresses(parsed.to)).toEqual(['Ada Lovelace <ada@example.com>', 'bob@example.com']);
    expect(addresses(parsed.cc)).toEqual(['carol@example.com']);
    expect(addresses(parsed.replyTo)).toEqual(['support@example.com']);
    expect(parsed.subject).toBe('Your invoice — März');
    expect(parsed.bcc).toBeUndefined();
    expect(mail.raw.toString('latin1')).not.toMatch(/audit@example\.com/);
    expect(parsed.text?.trim()).toBe('Plain body');
    expect(parsed.html).toBe('<p>HTML <b>body</b></p>');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content])).toEqual([
      ['report.csv', 'text/csv', Buffer.from('id,total\n1,42\n')],
      ['logo.png', 'image/png', png],
    ]);

    expect(data).toMatchObject({ delivery: 'smtp', rejected: [], response: expect.stringMatching(/^250 /) });
    expect(data.messageId).toBe(parsed.messageId);
    expect((data.accepted as string[]).sort()).toEqual(mail.to);
  });

  it('a 550 for the recipient fails the job on its first attempt, with the code and the server\'s words', async () => {
    smtp.onRecipient = () => ({ code: 550, text: 'No such user here' });
    const id = await SendEmailJob.later(simple);
    const { row, label } = await runOneAttempt(SendEmailJob, 'send-email', id);
    expect({ state: row.state, label, attempts: row.attempts, maxAttempts: row.maxAttempts }).toEqual({ state: 'failed', label: 'failed', attempts: 1, maxAttempts: 5 });
    expect(row.error).toMatch(/^SMTP server smtp:\/\/mailer@127\.0\.0\.1:\d+ refused the message: 550 No such user here/);
    expect(smtp.received).toHaveLength(0);
  });

  it('a 451 deferral is retried: the job is pending again after one attempt', async () => {
    smtp.onRecipient = () => ({ code: 451, text: 'Greylisted, try again later' });
    const id = await SendEmailJob.later(simple);
    const { row, label } = await runOneAttempt(SendEmailJob, 'send-email', id);
    expect({ state: row.state, label, attempts: row.attempts }).toEqual({ state: 'pending', label: 'retrying', attempts: 1 });
    expect(row.error).toMatch(/deferred the message: 451 Greylisted, try again later/);
    expect(row.runAt).toBeGreaterThan(Date.now());
  });

  it('some recipients refused, the others taken: the email is sent and the refused ones are in the result', async () => {
    smtp.onRecipient = (address) => (address === 'gone@example.com' ? { code: 550, text: 'Mailbox gone' } : null);
    const { data } = await SendEmailJob.now({ ...simple, to: ['ada@example.com', 'gone@example.com'] });
    expect(data).toMatchObject({ accepted: ['ada@example.com'], rejected: ['gone@example.com'] });
    expect(smtp.received.map((m) => m.to)).toEqual([['ada@example.com']]);
  });
});

describe('send-email when the server or the login is wrong', () => {
  afterAll(() => useSmtpUrl(smtp.url));

  it('a refused login (535) fails at once, and the password is in neither the error nor the logs', async () => {
    const wrong = 'wr0ng-Secret-9000';
    useSmtpUrl(`smtp://mailer:${wrong}@127.0.0.1:${smtp.port}`);
    const id = await SendEmailJob.later(simple);
    const { row, run } = await runOneAttempt(SendEmailJob, 'send-email', id);
    expect(smtp.refusedLogins).toContain('mailer');
    expect(row.state).toBe('failed');
    expect(row.error).toMatch(/refused the message: 535 /);
    const detail = await getJobDetail(await db.engine(), id);
    const everything = JSON.stringify({ row, detail, logs: run.logs });
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(password);
  });

  it('no server listening: the network error is retried, and the password is not in it', async () => {
    const port = await closedPort();
    useSmtpUrl(`smtp://mailer:${encodeURIComponent(password)}@127.0.0.1:${port}`);
    const id = await SendEmailJob.later(simple);
    const { row, label } = await runOneAttempt(SendEmailJob, 'send-email', id);
    expect({ state: row.state, label, attempts: row.attempts }).toEqual({ state: 'pending', label: 'retrying', attempts: 1 });
    expect(row.error).toMatch(new RegExp(`^Sending through smtp://mailer@127\\.0\\.0\\.1:${port} failed .*ECONNREFUSED`));
    expect(row.error).not.toContain('s3cret');
  });
});

describe('send-email without SMTP_URL', () => {
  beforeAll(() => useSmtpUrl(undefined));
  afterAll(() => useSmtpUrl(smtp.url));

  it('writes the message to <data>/mail/<time>-<jobId>.eml, a file a mail parser reads back whole', async () => {
    const { data, metadata } = await SendEmailJob.now({ ...simple, bcc: 'audit@example.com', html: '<p>Hi</p>' });
    expect(data.delivery).toBe('file');
    const file = (data as Extract<SendEmailResult, { delivery: 'file' }>).path;
    expect(path.dirname(file)).toBe(path.join(dataDir, 'mail'));
    expect(path.basename(file)).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z-${metadata.jobId}\\.eml$`));
    const parsed = await simpleParser(fs.readFileSync(file));
    expect(addresses(parsed.from)).toEqual(['Fluent Jobs <jobs@localhost>']);
    expect(addresses(parsed.to)).toEqual(['ada@example.com']);
    expect(addresses(parsed.bcc)).toEqual(['audit@example.com']); // kept in the file, to see every recipient
    expect(parsed.subject).toBe('Hello');
    expect(parsed.text?.trim()).toBe('Hi Ada');
    expect(parsed.messageId).toBe(data.messageId);
    expect(data.accepted).toEqual(['ada@example.com', 'audit@example.com']);
    expect(smtp.received).toHaveLength(0);
  });
});

describe('send-email params', () => {
  const refused = async (params: unknown) => {
    const error = await SendEmailJob.later(params as SendEmailParams).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(JobsError);
    expect((error as JobsError).code).toBe('invalid_params');
    return (error as JobsError).message;
  };

  it('are refused at enqueue, each with what is wrong: no subject, a bad address, an attachment with neither path nor content', async () => {
    expect(await refused({ to: 'ada@example.com', text: 'x' })).toBe('Invalid params for send-email: params.subject: a subject is required');
    expect(await refused({ ...simple, to: ['ada@example.com', 'not-an-address'] })).toMatch(/params\.to\.1: must be one email address/);
    expect(await refused({ ...simple, cc: 'ada@example.com, bob@example.com' })).toMatch(/params\.cc: .*give several as a list/);
    expect(await refused({ ...simple, attachments: [{ filename: 'a.txt' }] })).toMatch(/params\.attachments\.0: give either path .* or content/);
    expect(await refused({ ...simple, attachments: [{ filename: 'a.txt', path: 'https://example.com/a.txt' }] })).toMatch(/not a URL/);
    expect(await refused({ to: 'ada@example.com', subject: 'Hi' })).toMatch(/params\.text: give text, html or both/);
    expect(await refused({ ...simple, priority: 'high' })).toMatch(/Unrecognized key: "priority"/);
  });

  it('an attachment file that is not there fails the job at once, naming it', async () => {
    const id = await SendEmailJob.later({ ...simple, attachments: [{ filename: 'gone.pdf', path: '/nonexistent/gone.pdf' }] });
    const { row } = await runOneAttempt(SendEmailJob, 'send-email', id);
    expect(row.state).toBe('failed');
    expect(row.error).toBe('Attachment "gone.pdf": cannot read /nonexistent/gone.pdf (ENOENT)');
  });
});

describe('send-email run by a worker process', () => {
  it('is sent end to end through the SMTP server', async () => {
    const worker = spawnWorker({ DATABASE_URL: db.url, SMTP_URL: smtp.url, JOBS_DATA_DIR: dataDir });
    try {
      await worker.waitForOutput('started');
      const id = await SendEmailJob.later({ ...simple, subject: 'From the worker' });
      await waitFor(async () => (await getJobDetail(await db.engine(), id)).state === 'completed', 'the worker to send the email');
      const result = JSON.parse((await getJobDetail(await db.engine(), id)).result!);
      // Only this job's message counts: the worker may also run an earlier test's deferred
      // (451) or unreachable-server job, whose retry is due by now on a slow machine.
      const parsedAll = await Promise.all(smtp.received.map((mail) => simpleParser(mail.raw)));
      const ours = parsedAll.filter((mail) => mail.subject === 'From the worker');
      expect(ours).toHaveLength(1);
      const [parsed] = ours;
      expect(result).toMatchObject({ delivery: 'smtp', messageId: parsed.messageId, accepted: ['ada@example.com'] });
      expect(worker.output()).not.toMatch(/SMTP_URL is not set/);
    } finally {
      expect(await stopProcess(worker)).toBe(0);
    }
  });

  it('without SMTP_URL says once, at start, where the emails go', async () => {
    useSmtpUrl(undefined); // the worker inherits this process's environment
    const worker = spawnWorker({ DATABASE_URL: db.url, JOBS_DATA_DIR: dataDir });
    try {
      await worker.waitForOutput('started');
      await worker.waitForOutput('send-email: SMTP_URL is not set');
      const id = await SendEmailJob.later({ ...simple, subject: 'To a file' });
      await waitFor(async () => (await getJobDetail(await db.engine(), id)).state === 'completed', 'the worker to write the email');
      const result = JSON.parse((await getJobDetail(await db.engine(), id)).result!);
      expect(fs.existsSync(result.path)).toBe(true);
    } finally {
      expect(await stopProcess(worker)).toBe(0);
      useSmtpUrl(smtp.url);
    }
    const notices = worker.output().split('\n').filter((line) => line.includes('send-email: SMTP_URL is not set'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(new RegExp(`send-email: SMTP_URL is not set: emails are written as \\.eml files to ${path.join(dataDir, 'mail')}, not sent$`));
  });
});

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
