import { describe, expect, it } from 'vitest';
import { appFrame, fingerprintOf, normaliseMessage } from '@/core/fingerprint';

describe('normaliseMessage', () => {
  it.each([
    ['Timeout after 5000 ms for "user 42"', 'Timeout after <n> ms for <str>'],
    ["Column 'email' is null; can't insert user's row", "Column <str> is null; can't insert user's row"],
    ["Locked: users' and admins' rows", "Locked: users' and admins' rows"],
    ['Template `welcome-3` missing', 'Template <str> missing'],
    ['No order 019a885b-230f-7479-bb63-56f68f970aa1', 'No order <uuid>'],
    ['Bounced: bob.smith+jobs@mail.example.co.uk', 'Bounced: <email>'],
    ['Segfault at 0x7ffee4b0 in object 5f8d0d55b54764421b7156c3', 'Segfault at <hex> in object <hex>'],
    ['Bad key sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'Bad key <token>'],
    ['Took 12.5 s, limit 10 s, retry 3 of 5', 'Took <n> s, limit <n> s, retry <n> of <n>'],
    ['  several\n  lines\tand   spaces ', 'several lines and spaces'],
  ])('%j -> %j', (message, expected) => {
    expect(normaliseMessage(message)).toBe(expected);
  });

  it('leaves words alone, even hex-looking ones without a digit, and short mixed ones', () => {
    expect(normaliseMessage('decade facade deadbeef cafe route v8 engine')).toBe('decade facade deadbeef cafe route v<n> engine');
  });

  it('reads at most 2,000 characters and keeps 500', () => {
    expect(normaliseMessage('x'.repeat(10_000))).toHaveLength(500);
    expect(normaliseMessage(`${'a '.repeat(1_000)}${'9'.repeat(50)}`)).not.toContain('<n>');
  });
});

describe('appFrame', () => {
  const stack = [
    'TypeError: Cannot read properties of undefined',
    '    at Client.query (/srv/app/node_modules/pg/lib/client.js:526:17)',
    '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    '    at async SendEmailJob.perform (file:///srv/app/src/jobs/send-email.ts:42:17)',
    '    at async execute (/srv/app/src/lib/jobs/execute.ts:60:9)',
  ].join('\n');

  it('is the first frame outside node_modules and Node, without line, column or the machine\'s folder', () => {
    expect(appFrame(stack)).toBe('SendEmailJob.perform (src/jobs/send-email.ts)');
  });

  it('reads frames without a function name, constructors, Windows paths and bundled chunks with hashes', () => {
    expect(appFrame('Error: x\n    at /srv/app/src/jobs/a.ts:1:2')).toBe('src/jobs/a.ts');
    expect(appFrame('Error: x\n    at new Mailer (/srv/app/src/mail.ts:3:4)')).toBe('new Mailer (src/mail.ts)');
    expect(appFrame('Error: x\n    at run (C:\\app\\src\\jobs\\a.ts:1:2)')).toBe('run (src/jobs/a.ts)');
    expect(appFrame('Error: x\n    at handler (/srv/app/.next/server/chunks/ssr/9f2c4a1b7e._.js:1:2)')).toBe('handler (.next/server/chunks/ssr/<hex>._.js)');
  });

  it('skips the job system\'s own frames (a timeout raised by its executor is the job\'s failure, not the executor\'s)', () => {
    const timeout = 'JobTimeoutError: Job timed out after 1000 ms\n    at Timeout.<anonymous> (/srv/app/src/lib/jobs/execute.ts:44:55)\n    at listOnTimeout (node:internal/timers:581:17)';
    expect(appFrame(timeout)).toBeNull();
    const viaStore = 'Error: x\n    at claim (/srv/app/src/store/claim.ts:1:2)\n    at Worker.loop (/srv/app/src/worker/worker.ts:3:4)\n    at Report.perform (/srv/app/src/jobs/report.ts:9:9)';
    expect(appFrame(viaStore)).toBe('Report.perform (src/jobs/report.ts)');
    expect(appFrame('Error: x\n    at send (/srv/app/src/lib/mailer.ts:1:2)')).toBe('send (src/lib/mailer.ts)'); // the app's own src/lib stays
  });

  it('is null without a stack or without a frame of the app', () => {
    expect(appFrame(undefined)).toBeNull();
    expect(appFrame('Error: x\n    at f (node:fs:1:1)\n    at <anonymous>')).toBeNull();
  });
});

describe('fingerprintOf', () => {
  const at = (line: number) => `Error: x\n    at SendEmailJob.perform (/home/ci/app/src/jobs/send-email.ts:${line}:5)`;

  it('is the same for failures that differ only in their values, line numbers and machine', () => {
    const a = fingerprintOf('TimeoutError', 'Timeout after 5000 ms for "user 42"', at(10));
    const b = fingerprintOf('TimeoutError', 'Timeout after 7000 ms for "user 7"', at(12).replace('/home/ci', '/srv'));
    expect(a).toEqual(b);
    expect(a).toEqual({ fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/), errorName: 'TimeoutError', message: 'Timeout after <n> ms for <str>', frame: 'SendEmailJob.perform (src/jobs/send-email.ts)' });
  });

  it('tells apart another error name, another message and another frame', () => {
    const base = fingerprintOf('TimeoutError', 'Timeout after 5000 ms', at(10)).fingerprint;
    expect(fingerprintOf('Error', 'Timeout after 5000 ms', at(10)).fingerprint).not.toBe(base);
    expect(fingerprintOf('TimeoutError', 'Refused after 5000 ms', at(10)).fingerprint).not.toBe(base);
    expect(fingerprintOf('TimeoutError', 'Timeout after 5000 ms', at(10).replace('send-email', 'resize')).fingerprint).not.toBe(base);
  });

  it('names a nameless error Error', () => {
    expect(fingerprintOf(' ', 'x')).toMatchObject({ errorName: 'Error', frame: null });
  });
});
