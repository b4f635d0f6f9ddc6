import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig as parseEnv } from '@/config/env';

const parseConfig = (env: Record<string, string>) => parseEnv(env as unknown as NodeJS.ProcessEnv);
import { csvRecord } from '@/core/csv';

describe('JOBS_BACKUP_KEY', () => {
  const key = crypto.randomBytes(32);

  it('takes 32 bytes as hex, base64 or base64url', () => {
    for (const text of [key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64'), key.toString('base64url'), ` ${key.toString('base64')}\n`]) {
      expect(parseConfig({ JOBS_BACKUP_KEY: text }).backupKey).toEqual(key);
    }
    expect(parseConfig({}).backupKey).toBeUndefined();
  });

  it('of another length, or empty, is a config error that says what it got but never the value', () => {
    const sixteen = crypto.randomBytes(16).toString('base64');
    const cases: [string, RegExp][] = [
      [sixteen, /JOBS_BACKUP_KEY must be 32 bytes, as 64 hex digits or 44 base64 characters, but it decodes as base64 to 16 bytes \(openssl rand -base64 32 makes one\)$/],
      [crypto.randomBytes(33).toString('hex'), /but it decodes as base64 to 49 bytes/],
      ['not a key!', /but it is 10 characters that are neither hex nor base64/],
      ['', /but it is empty \(leave it unset for backups that are not encrypted\)/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseConfig({ JOBS_BACKUP_KEY: text });
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'config', message: expect.stringMatching(message) });
      if (text.length > 3) expect((error as Error).message).not.toContain(text);
    }
  });

  it('JOBS_BACKUP_KEEP is a whole number of backups, 7 by default', () => {
    expect(parseConfig({}).backupKeep).toBe(7);
    expect(parseConfig({ JOBS_BACKUP_KEEP: '30' }).backupKeep).toBe(30);
    expect(() => parseConfig({ JOBS_BACKUP_KEEP: '0' })).toThrow(/JOBS_BACKUP_KEEP/);
  });
});

describe('csvRecord', () => {
  it('quotes only the fields that need it, doubling their quotes', () => {
    expect(csvRecord(['plain', 'a,b', 'say "hi"', 'two\nlines', ' padded', 1.5, null, ''])).toBe('plain,"a,b","say ""hi""","two\nlines"," padded",1.5,,');
  });
});
