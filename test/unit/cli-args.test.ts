import { describe, expect, it } from 'vitest';
import { closestWord, joinNegativeValues, parseCommand } from '@/cli/args';
import { databaseUrlProblem, parseConfig } from '@/config/env';

describe('did you mean', () => {
  const words = ['types', 'list', 'status', 'enqueue', 'retry', 'cancel', 'queues', 'worker', 'schedule', 'cron', 'cleanup', 'migrate', 'demo'];
  it('suggests the closest command or job name, a swap of two letters counting as one edit', () => {
    expect(closestWord('lst', words)).toBe('list');
    expect(closestWord('stats', words)).toBe('status');
    expect(closestWord('wroker', words)).toBe('worker');
    expect(closestWord('dmeo', words)).toBe('demo');
    expect(closestWord('SHEDULE', words)).toBe('schedule');
  });
  it('suggests nothing when no word is close', () => {
    expect(closestWord('no-such-job', words)).toBeUndefined();
    expect(closestWord('xyz', words)).toBeUndefined();
  });
});

describe('negative option values', () => {
  const options = { limit: { type: 'string' }, json: { type: 'boolean' } } as const;
  it('joins a value that starts with a dash and a digit to its option, so parseArgs does not read it as an option', () => {
    expect(joinNegativeValues(['--limit', '-5', '--json'], options)).toEqual(['--limit=-5', '--json']);
    expect(parseCommand(['--limit', '-5'], options, 'usage').values.limit).toBe('-5');
  });
  it('leaves flags, other options and everything after -- alone', () => {
    expect(joinNegativeValues(['--json', '-5'], options)).toEqual(['--json', '-5']);
    expect(joinNegativeValues(['--limit', '--json'], options)).toEqual(['--limit', '--json']);
    expect(joinNegativeValues(['--', '--limit', '-5'], options)).toEqual(['--', '--limit', '-5']);
  });
});

describe('configuration', () => {
  const config = (env: Record<string, string>) => parseConfig(env as unknown as NodeJS.ProcessEnv);
  it('accepts plain paths, file:, libsql://, http(s):// and ws(s)://, and refuses other schemes without quoting the URL', () => {
    for (const url of ['data/jobs.db', '/var/jobs.db', 'file:data/jobs.db', 'file:///var/jobs.db', 'libsql://db.turso.io', 'http://127.0.0.1:8080', 'https://x', 'ws://x', 'wss://x']) {
      expect(databaseUrlProblem(url)).toBeNull();
    }
    expect(databaseUrlProblem('postgres://app:s3cret@db/app')).toMatch(/^has the scheme "postgres:"/);
    expect(databaseUrlProblem('postgres://app:s3cret@db/app')).not.toContain('s3cret');
    expect(databaseUrlProblem('mysql://x')).toMatch(/"mysql:"/);
  });
  it('reads JOBS_DATABASE_URL before DATABASE_URL', () => {
    expect(config({ JOBS_DATABASE_URL: 'file:jobs.db', DATABASE_URL: 'postgres://app@db/app' }).databaseUrl).toBe('file:jobs.db');
    expect(config({ DATABASE_URL: 'file:other.db' }).databaseUrl).toBe('file:other.db');
    expect(config({}).databaseUrl).toBe('file:data/jobs.db');
    expect(() => config({ DATABASE_URL: 'postgres://app@db/app' })).toThrow(/DATABASE_URL has the scheme "postgres:".*set JOBS_DATABASE_URL/);
  });
  it('refuses a lease at or below the busy timeout, naming both variables', () => {
    expect(() => config({ JOBS_LEASE_MS: '5000' })).toThrow(/JOBS_LEASE_MS \(5000\) must be greater than JOBS_BUSY_TIMEOUT_MS \(5000\)/);
    expect(config({ JOBS_LEASE_MS: '1000', JOBS_BUSY_TIMEOUT_MS: '999' }).leaseMs).toBe(1000);
  });
  it('refuses a JOBS_QUEUES that names no queue', () => {
    expect(() => config({ JOBS_QUEUES: ' , ' })).toThrow(/JOBS_QUEUES names no queue/);
  });
});
