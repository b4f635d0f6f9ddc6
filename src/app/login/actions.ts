'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { isJobsError, JobsError } from '@/core/errors';
import { getEngine } from '@/db/client';
import { currentPrincipal } from '@/server/auth';
import { crossSiteReason } from '@/server/csrf';
import { consumeLoginCode, type CodeCheck } from '@/server/login-code';
import { awaitTurn, clientKey, recordFailure } from '@/server/login-throttle';
import { createSession, sessionCookieName, sessionCookieOptions } from '@/server/session';
import { dataDir, getTokens, roleOfToken, type Role } from '@/server/tokens';
import { appendActivity, type ActivityEntry } from '@/store/activity';

export type LoginState = { status: 'idle' } | { status: 'error'; message: string };

const codeRefusals: Record<Exclude<CodeCheck, 'ok'>, string> = {
  wrong: 'This sign-in link is not valid (npm start prints a new one each time it starts). Sign in with the token instead.',
  used: 'This sign-in link was already used: it works once. Sign in with the token instead.',
  expired: 'This sign-in link has expired. Sign in with the token instead.',
};

/** Only a path on this site: `//evil.example` or `/\evil.example` would leave it. */
function safeNext(next: FormDataEntryValue | null): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

/** The action log must not be why a login fails (a busy or missing database): logged, not thrown. */
async function record(entry: ActivityEntry): Promise<void> {
  try {
    await appendActivity(await getEngine(), entry, Date.now());
  } catch (error) {
    console.error('[login] could not write the action log:', error);
  }
}

/**
 * Signs in with a token (`token`) or the one-time code of `npm start`'s link
 * (`code`): sets the signed session cookie and goes to `next`. Refused from
 * another site, and slowed down after failures from the same client.
 */
export async function logIn(_previous: LoginState, formData: FormData): Promise<LoginState> {
  const requestHeaders = await headers();
  const crossSite = crossSiteReason('POST', requestHeaders);
  if (crossSite) return { status: 'error', message: crossSite };
  const key = clientKey(requestHeaders);
  try {
    await awaitTurn(key);
  } catch (error) {
    if (isJobsError(error)) return { status: 'error', message: error.message };
    throw error;
  }
  // No await from here to recordFailure: a failure counts before the next waiting attempt runs.
  const code = formData.get('code');
  const token = formData.get('token');
  let role: Role | null = null;
  if (typeof code === 'string' && code !== '') {
    // Links are made only for a generated token: once JOBS_ADMIN_TOKEN is set, a code left in the folder signs nobody in.
    const check = getTokens().adminSource === 'file' ? consumeLoginCode(dataDir(), code, Date.now()) : 'wrong';
    if (check !== 'ok') {
      recordFailure(key);
      return { status: 'error', message: codeRefusals[check] };
    }
    role = 'admin';
  } else {
    role = typeof token === 'string' ? roleOfToken(token.trim()) : null;
    if (!role) {
      recordFailure(key);
      return { status: 'error', message: 'That token is not valid.' };
    }
  }
  const secure = requestHeaders.get('x-forwarded-proto')?.split(',')[0].trim() === 'https';
  (await cookies()).set(sessionCookieName, createSession(role, Date.now(), getTokens()), sessionCookieOptions(secure));
  await record({ actor: role, action: 'session.login', details: { with: typeof code === 'string' && code !== '' ? 'one-time link' : 'token' } });
  redirect(safeNext(formData.get('next')));
}

/** Ends this browser's session. */
export async function logOut(): Promise<void> {
  const crossSite = crossSiteReason('POST', await headers());
  if (crossSite) throw new JobsError('forbidden', crossSite);
  const principal = await currentPrincipal();
  (await cookies()).delete(sessionCookieName);
  if (principal) await record({ actor: principal.who, action: 'session.logout' });
  redirect('/login');
}
