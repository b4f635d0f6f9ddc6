import { describe, expect, it } from 'vitest';
import { parseConfig as parseEnv } from '@/config/env';
import { smtpServerText, smtpUrlProblem } from '@/config/smtp-url';
import { parseMailbox } from '@/core/mailbox';
import { retryAfterMs } from '@/core/retry-after';
import { safeUrl } from '@/core/safe-url';

const parseConfig = (env: Record<string, string>) => parseEnv(env as unknown as NodeJS.ProcessEnv);

describe('email addresses', () => {
  it('reads a bare address or one with a display name, quoted or not', () => {
    expect(parseMailbox('ada@example.com')).toEqual({ address: 'ada@example.com' });
    expect(parseMailbox(' Ada Lovelace <ada@example.com> ')).toEqual({ name: 'Ada Lovelace', address: 'ada@example.com' });
    expect(parseMailbox('"Lovelace, Ada" <ada@example.com>')).toEqual({ name: 'Lovelace, Ada', address: 'ada@example.com' });
    expect(parseMailbox('ops@localhost')).toEqual({ address: 'ops@localhost' });
    expect(parseMailbox('jöhn@exämple.de')).toEqual({ address: 'jöhn@exämple.de' });
  });
  it('refuses what is not one address: lists, missing parts, header injection', () => {
    for (const bad of ['nobody', 'a@@b.c', '.a@b.c', 'a b@c.d', 'a@b..c', 'a@-b.c', 'x <a@b.c', 'ada@example.com, bob@example.com',
      'Lovelace, Ada <ada@example.com>', 'ada@example.com\r\nBcc: evil@example.com', '']) {
      expect(parseMailbox(bad), bad).toBeNull();
    }
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates; a past date is now; anything else is nothing', () => {
    expect(retryAfterMs('120', 1_000)).toBe(120_000);
    expect(retryAfterMs('0', 1_000)).toBe(0);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:02:00 GMT', 0)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:02:00 GMT', 500_000)).toBe(0);
    for (const bad of [null, undefined, '', 'soon', '-5', '1.5', '2026-01-01']) expect(retryAfterMs(bad, 0), String(bad)).toBeNull();
  });
});

describe('URLs in messages', () => {
  it('lose their login, their query values and their fragment', () => {
    expect(safeUrl('https://user:pw@api.example.com/hook?token=abc&page=2#x')).toBe('https://api.example.com/hook?token=***&page=***');
    expect(safeUrl('http://127.0.0.1:8080/plain')).toBe('http://127.0.0.1:8080/plain');
    expect(safeUrl('not a url with a secret')).toBe('(invalid URL)');
  });
});

describe('SMTP_URL and JOBS_MAIL_FROM', () => {
  it('take smtp:// and smtps:// URLs, and never quote more than the scheme of a bad one', () => {
    expect(smtpUrlProblem('smtp://user:pass@mail.example.com:587')).toBeNull();
    expect(smtpUrlProblem('smtps://mail.example.com')).toBeNull();
    expect(() => parseConfig({ SMTP_URL: 'https://user:hunter2@mail.example.com' })).toThrow(/^Invalid configuration: SMTP_URL has the scheme "https:"; use smtp:/);
    expect(() => parseConfig({ SMTP_URL: 'https://user:hunter2@mail.example.com' })).not.toThrow(/hunter2/);
    expect(() => parseConfig({ SMTP_URL: 'user:hunter2 at mail' })).not.toThrow(/hunter2/);
    expect(smtpServerText('smtp://ada:secret@mail.example.com:587')).toBe('smtp://ada@mail.example.com:587');
  });
  it('a blank SMTP_URL is no SMTP_URL; the From defaults, and a bad one is refused', () => {
    expect(parseConfig({ SMTP_URL: '' }).smtpUrl).toBeUndefined();
    expect(parseConfig({}).mailFrom).toBe('Fluent Jobs <jobs@localhost>');
    expect(parseConfig({ JOBS_MAIL_FROM: 'Shop <shop@example.com>' }).mailFrom).toBe('Shop <shop@example.com>');
    expect(() => parseConfig({ JOBS_MAIL_FROM: 'shop' })).toThrow('Invalid configuration: JOBS_MAIL_FROM must be an email address or "Name <address>", got "shop"');
  });
});
