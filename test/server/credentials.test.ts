import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { spawnProcess } from '../helpers/processes';
import { parseConfig as parseEnv } from '@/config/env';
import { consumeLoginCode, issueLoginCode } from '@/server/login-code';
import { createSession, verifySession } from '@/server/session';
import { adminTokenFile, dataDir, readOrCreateAdminToken, roleOfToken, tokenKind, type Tokens } from '@/server/tokens';

const dirs: string[] = [];
const tempDir = () => {
  const dir = makeTempDir('fluent-jobs-credentials-');
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const parseConfig = (env: Record<string, string>) => parseEnv(env as unknown as NodeJS.ProcessEnv);
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
const tokens: Tokens = { admin: 'admin-token-0123456789abcdef', readonly: 'readonly-token-0123456789', adminSource: 'env' };

describe('the generated admin token', () => {
  it('is made once in the data folder with mode 0600 and read back the same afterwards', () => {
    const dir = path.join(tempDir(), 'data'); // a folder that does not exist yet
    const token = readOrCreateAdminToken(dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(modeOf(adminTokenFile(dir))).toBe(0o600);
    expect(readOrCreateAdminToken(dir)).toBe(token);
    expect(fs.readdirSync(dir)).toEqual(['admin-token']); // no temp file left behind
  });

  it('four processes starting at once on an empty data folder agree on one token', async () => {
    const dir = tempDir();
    const fixture = path.join(import.meta.dirname, 'fixtures/admin-token.ts');
    const children = Array.from({ length: 4 }, () => spawnProcess([fixture, dir]));
    expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0, 0, 0]);
    const printed = new Set(children.map((c) => c.output().trim()));
    expect([...printed]).toEqual([fs.readFileSync(adminTokenFile(dir), 'utf8').trim()]);
  });

  it('an empty token file is refused with a message naming it, not accepted as an empty token', () => {
    const dir = tempDir();
    fs.writeFileSync(adminTokenFile(dir), '\n', { mode: 0o600 });
    expect(() => readOrCreateAdminToken(dir)).toThrow(/admin-token holds no usable token .*delete it/);
  });

  it('lives next to a local database file, in JOBS_DATA_DIR when set, and in data/ for a remote database', () => {
    expect(dataDir(parseConfig({ DATABASE_URL: 'file:/srv/jobs/jobs.db' }))).toBe('/srv/jobs');
    expect(dataDir(parseConfig({ DATABASE_URL: 'file:/srv/jobs/jobs.db', JOBS_DATA_DIR: '/etc/fluent' }))).toBe('/etc/fluent');
    expect(dataDir(parseConfig({ DATABASE_URL: 'libsql://db.example.turso.io' }))).toMatch(/\/data$/);
  });
});

describe('token settings', () => {
  it('refuse a token under 16 characters and a read-only token equal to the admin one', () => {
    expect(() => parseConfig({ JOBS_ADMIN_TOKEN: 'short' })).toThrow(/JOBS_ADMIN_TOKEN must be at least 16 characters/);
    expect(() => parseConfig({ JOBS_READONLY_TOKEN: 'short' })).toThrow(/JOBS_READONLY_TOKEN must be at least 16 characters/);
    expect(() => parseConfig({ JOBS_ADMIN_TOKEN: tokens.admin, JOBS_READONLY_TOKEN: tokens.admin })).toThrow(/must differ/);
  });

  it('grant admin, readonly or nothing, whatever the length of the guess', () => {
    expect(roleOfToken(tokens.admin, tokens)).toBe('admin');
    expect(roleOfToken(tokens.readonly!, tokens)).toBe('readonly');
    for (const guess of ['', 'a', tokens.admin.slice(0, -1), `${tokens.admin}x`, tokens.admin.toUpperCase()]) expect(roleOfToken(guess, tokens)).toBeNull();
    expect(roleOfToken(tokens.readonly!, { ...tokens, readonly: undefined })).toBeNull();
  });

  it('know the metrics token, which grants no role (it cannot sign in), and refuse one that is short or another token', () => {
    const withMetrics: Tokens = { ...tokens, metrics: 'metrics-token-0123456789' };
    expect(tokenKind(withMetrics.metrics!, withMetrics)).toBe('metrics');
    expect(roleOfToken(withMetrics.metrics!, withMetrics)).toBeNull();
    expect(tokenKind(withMetrics.metrics!, tokens)).toBeNull();
    expect(tokenKind(tokens.admin, withMetrics)).toBe('admin');
    expect(parseConfig({ JOBS_METRICS_TOKEN: withMetrics.metrics! }).metricsToken).toBe(withMetrics.metrics);
    expect(() => parseConfig({ JOBS_METRICS_TOKEN: 'short' })).toThrow(/JOBS_METRICS_TOKEN must be at least 16 characters/);
    expect(() => parseConfig({ JOBS_ADMIN_TOKEN: tokens.admin, JOBS_METRICS_TOKEN: tokens.admin })).toThrow(/JOBS_METRICS_TOKEN must differ from JOBS_ADMIN_TOKEN and JOBS_READONLY_TOKEN/);
    expect(() => parseConfig({ JOBS_READONLY_TOKEN: tokens.readonly!, JOBS_METRICS_TOKEN: tokens.readonly! })).toThrow(/must differ/);
  });
});

describe('LOG_FORMAT', () => {
  it('is text by default, json when asked, and anything else is refused with the choices', () => {
    expect(parseConfig({}).logFormat).toBe('text');
    expect(parseConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(parseConfig({ LOG_FORMAT: ' JSON ' }).logFormat).toBe('json');
    expect(() => parseConfig({ LOG_FORMAT: 'xml' })).toThrow('Invalid configuration: LOG_FORMAT: must be text or json, got "xml"');
  });
});

describe('a session', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');

  it('holds the role, never the token, and is valid until it expires', () => {
    const session = createSession('admin', now, tokens, 60_000);
    expect(session).not.toContain(tokens.admin);
    expect(verifySession(session, now + 59_999, tokens)).toBe('admin');
    expect(verifySession(session, now + 60_000, tokens)).toBeNull();
    expect(verifySession(createSession('readonly', now, tokens), now, tokens)).toBe('readonly');
  });

  it('edited in any part (role, expiry, signature) is refused', () => {
    const session = createSession('readonly', now, tokens, 60_000);
    const [v, , expires, nonce, signature] = session.split('.');
    expect(verifySession([v, 'admin', expires, nonce, signature].join('.'), now, tokens)).toBeNull();
    expect(verifySession([v, 'readonly', (now + 10 ** 9).toString(36), nonce, signature].join('.'), now, tokens)).toBeNull();
    // Its first character, whose 6 bits are all signature (the last one's low bits are padding), made different.
    const edited = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(verifySession([v, 'readonly', expires, nonce, edited].join('.'), now, tokens)).toBeNull();
    for (const junk of [undefined, '', 'v1', 'x.y.z.w.v', `${session}.extra`]) expect(verifySession(junk, now, tokens)).toBeNull();
  });

  it('ends when its token changes: a new admin token ends all sessions, a new read-only token only the read-only ones', () => {
    const admin = createSession('admin', now, tokens);
    const readonly = createSession('readonly', now, tokens);
    const newReadonly = { ...tokens, readonly: 'another-readonly-token-42' };
    expect(verifySession(admin, now, newReadonly)).toBe('admin');
    expect(verifySession(readonly, now, newReadonly)).toBeNull();
    expect(verifySession(readonly, now, { ...tokens, readonly: undefined })).toBeNull();
    const newAdmin = { ...tokens, admin: 'another-admin-token-000042' };
    expect(verifySession(admin, now, newAdmin)).toBeNull();
    expect(verifySession(readonly, now, newAdmin)).toBeNull();
  });
});

describe('the one-time login code', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');

  it('works once: the second use is refused', () => {
    const dir = tempDir();
    const code = issueLoginCode(dir, now);
    expect(consumeLoginCode(dir, code, now)).toBe('ok');
    expect(consumeLoginCode(dir, code, now)).toBe('used');
  });

  it('is stored only as a hash, mode 0600, and a wrong guess leaves it usable', () => {
    const dir = tempDir();
    const code = issueLoginCode(dir, now);
    const stored = fs.readFileSync(path.join(dir, 'login-code'), 'utf8');
    expect(stored).not.toContain(code);
    expect(modeOf(path.join(dir, 'login-code'))).toBe(0o600);
    expect(consumeLoginCode(dir, `${code}x`, now)).toBe('wrong');
    expect(consumeLoginCode(dir, code, now)).toBe('ok');
  });

  it('stops working when a newer one is issued, and after it expires', () => {
    const dir = tempDir();
    const old = issueLoginCode(dir, now);
    const fresh = issueLoginCode(dir, now, 1_000);
    expect(consumeLoginCode(dir, old, now)).toBe('wrong');
    expect(consumeLoginCode(dir, fresh, now + 1_000)).toBe('expired');
    expect(consumeLoginCode(dir, fresh, now)).toBe('used'); // an expired code is deleted too
  });
});
