import path from 'node:path';
import { makeTempDir } from '../helpers/db';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

export const adminToken = 'admin-token-for-the-api-e2e-tests';
export const readonlyToken = 'readonly-token-for-the-api-e2e-tests';

/** The env of a next start (and of workers and bin/jobs beside it) on `file`, with both tokens set. */
export function apiEnv(file: string): Record<string, string> {
  return { DATABASE_URL: `file:${file}`, JOBS_DATA_DIR: path.dirname(file), JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken };
}

export { makeTempDir };

/** A next start on `file` with both tokens set (the build is the test run's, made once), and the env it runs with. */
export async function startApiServer(file: string): Promise<{ env: Record<string, string>; server: NextServer }> {
  const env = apiEnv(file);
  await ensureBuilt();
  return { env, server: await startNextServer(env) };
}

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** One JSON call to `server` as `token` (null: no Authorization header). */
export async function call<T = any>(server: NextServer, method: string, p: string, body?: unknown, token: string | null = adminToken, extraHeaders: Record<string, string> = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(server.url + p, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}
