import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { defaults } from '../config/defaults';
import { getConfig, type Config } from '../config/env';
import { JobsError } from '../core/errors';
import { dataDir } from '../db/data-dir';

// The data folder is found below the server (the jobs keep files there too); re-exported for its callers here.
export { dataDir };

/** What a token or session may do: admin everything, readonly only read. */
export type Role = 'admin' | 'readonly';

export interface Tokens {
  admin: string;
  readonly?: string;
  /** May read GET /api/metrics and nothing else (JOBS_METRICS_TOKEN); never a role, so it cannot sign in. */
  metrics?: string;
  /** Where the admin token came from: JOBS_ADMIN_TOKEN, or the generated file in the data folder. */
  adminSource: 'env' | 'file';
}

export const adminTokenFile = (dir: string): string => path.join(dir, 'admin-token');

/**
 * Reads the generated admin token, making it first if there is none: 32
 * random bytes, written to a private temp file (mode 0600) and linked into
 * place, so two processes starting at once agree on one token and nobody ever
 * reads a half-written file.
 */
export function readOrCreateAdminToken(dir: string): string {
  const file = adminTokenFile(dir);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, `${crypto.randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process made it first: use theirs
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }
  const token = fs.readFileSync(file, 'utf8').trim();
  if (token.length < defaults.minTokenLength) {
    throw new JobsError('config', `${file} holds no usable token (under ${defaults.minTokenLength} characters): delete it to have a new one made`);
  }
  return token;
}

const cache = globalThis as unknown as { __fluentJobsTokens?: Tokens };

/** The tokens this process accepts, read once. */
export function getTokens(): Tokens {
  if (!cache.__fluentJobsTokens) {
    const config = getConfig();
    const others = { readonly: config.readonlyToken, metrics: config.metricsToken };
    cache.__fluentJobsTokens = config.adminToken
      ? { admin: config.adminToken, ...others, adminSource: 'env' }
      : { admin: readOrCreateAdminToken(dataDir(config)), ...others, adminSource: 'file' };
  }
  return cache.__fluentJobsTokens;
}

/** Forgets the tokens read, so the next getTokens() reads the environment and the data folder again (tests). */
export function resetTokens(): void {
  cache.__fluentJobsTokens = undefined;
}

/** Equality that takes the same time wherever the strings differ, and whatever their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
}

/** Which token was presented: a role's, the metrics scraper's, or none. Every token is always compared. */
export function tokenKind(presented: string, tokens: Tokens = getTokens()): Role | 'metrics' | null {
  const admin = constantTimeEqual(presented, tokens.admin);
  const readonly = tokens.readonly !== undefined && constantTimeEqual(presented, tokens.readonly);
  const metrics = tokens.metrics !== undefined && constantTimeEqual(presented, tokens.metrics);
  return admin ? 'admin' : readonly ? 'readonly' : metrics ? 'metrics' : null;
}

/** The role a presented token grants, or null: the metrics token grants none (it cannot sign in to the page). */
export function roleOfToken(presented: string, tokens: Tokens = getTokens()): Role | null {
  const kind = tokenKind(presented, tokens);
  return kind === 'metrics' ? null : kind;
}
