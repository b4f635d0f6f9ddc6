import crypto from 'node:crypto';
import { defaults } from '../config/defaults';
import type { Role, Tokens } from './tokens'; // types only: the proxy imports this file, and must not load the database

/** The page login's cookie: a signed session, never a token. */
export const sessionCookieName = 'fluent_jobs_session';

/**
 * The signing key of a role's sessions, derived from the tokens: changing
 * JOBS_ADMIN_TOKEN ends every session, changing JOBS_READONLY_TOKEN (or
 * unsetting it) ends the read-only ones. Nothing to store or share between
 * web processes beyond the tokens they already have.
 */
function keyOf(role: Role, tokens: Tokens): Buffer {
  const material = role === 'admin' ? 'admin' : `readonly\0${tokens.readonly ?? ''}`;
  return crypto.createHmac('sha256', tokens.admin).update(`fluent-jobs session key v1\0${material}`).digest();
}

function sign(payload: string, role: Role, tokens: Tokens): string {
  return crypto.createHmac('sha256', keyOf(role, tokens)).update(payload).digest('base64url');
}

/**
 * A session value: `v1.<role>.<expires, ms base 36>.<nonce>.<HMAC-SHA256 of the rest>`.
 * @example createSession('admin', now, getTokens()) // 'v1.admin.mj0k2x1c.Xy3...' (opaque to the browser)
 */
export function createSession(role: Role, now: number, tokens: Tokens, maxAgeMs: number = defaults.sessionMaxAgeMs): string {
  const payload = `v1.${role}.${(now + maxAgeMs).toString(36)}.${crypto.randomBytes(12).toString('base64url')}`;
  return `${payload}.${sign(payload, role, tokens)}`;
}

/** The role of a valid, unexpired session, or null for anything else. */
export function verifySession(value: string | undefined, now: number, tokens: Tokens): Role | null {
  const parts = value?.split('.') ?? [];
  if (parts.length !== 5 || parts[0] !== 'v1') return null;
  const [, role, expires] = parts;
  if (role !== 'admin' && role !== 'readonly') return null;
  if (role === 'readonly' && tokens.readonly === undefined) return null;
  const expected = Buffer.from(sign(parts.slice(0, 4).join('.'), role, tokens));
  const given = Buffer.from(parts[4]);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  return parseInt(expires, 36) > now ? role : null;
}

/**
 * The cookie's attributes: HttpOnly (no script reads it), SameSite=Strict (no
 * other site's page sends it), Secure when the request came over https.
 */
export function sessionCookieOptions(secure: boolean, maxAgeMs: number = defaults.sessionMaxAgeMs) {
  return { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: Math.floor(maxAgeMs / 1000) } as const;
}
