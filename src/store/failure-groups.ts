import type { Engine, SqlArg, Statement } from '../db/engine';
import { unknownFingerprint, type Fingerprint } from '../core/fingerprint';

/**
 * Records what a fingerprint stands for, once: later failures with it change
 * nothing (its parts are what it hashes, so they cannot differ). Part of the
 * batch that fails a job; the job's group is counted by the triggers of
 * migration 0005, so a batch that loses its lease and fails nothing leaves
 * only this description behind, which no group points at.
 */
export function recordFingerprintStatement(f: Fingerprint): Statement {
  return {
    sql: `INSERT INTO failure_fingerprints (fingerprint, error_name, message, frame) VALUES (?, ?, ?, ?) ON CONFLICT (fingerprint) DO NOTHING`,
    args: [f.fingerprint, f.errorName, f.message, f.frame],
  };
}

/** Failed jobs of one job name with one fingerprint, as the failures page lists them. */
export interface FailureGroup {
  name: string;
  /** 'unknown' for the jobs that failed before fingerprints were recorded (no error name, message or frame). */
  fingerprint: string;
  errorName: string | null;
  /** The normalised message. */
  message: string | null;
  frame: string | null;
  /** Jobs failed with it now: exact, kept by triggers. */
  failed: number;
  /** When a job first and last failed with it (not narrowed when those jobs are retried or deleted). */
  firstSeen: number;
  lastSeen: number;
}

/** Where the next page of failure groups starts: the last group of this one. */
export interface FailureGroupCursor {
  lastSeen: number;
  name: string;
  fingerprint: string;
}

/** The statements the reads below run, exported so tests can read their plans. */
export const failureGroupSql = {
  /** A keyset page of failure_groups_recent_idx walked backwards (newest last_seen first), each joined to its description by primary key. */
  list: (after: boolean) => `SELECT g.name, g.fingerprint, g.failed, g.first_seen, g.last_seen, f.error_name, f.message, f.frame
    FROM failure_groups g INDEXED BY failure_groups_recent_idx LEFT JOIN failure_fingerprints f ON f.fingerprint = g.fingerprint
    WHERE g.failed > 0${after ? ' AND (g.last_seen, g.name, g.fingerprint) < (?, ?, ?)' : ''}
    ORDER BY g.last_seen DESC, g.name DESC, g.fingerprint DESC LIMIT ?`,
  /**
   * One group's job ids from jobs_failure_idx alone (it covers them), newest failure first;
   * its fingerprint argument is null for the 'unknown' group (groupFingerprintArg).
   */
  jobIds: (after: boolean) => `SELECT id, completed_at FROM jobs INDEXED BY jobs_failure_idx
    WHERE state = 'failed' AND name = ? AND fingerprint IS ?${after ? ' AND (completed_at, id) < (?, ?)' : ''}
    ORDER BY completed_at DESC, id DESC LIMIT ?`,
};

/**
 * Read-only. The groups that have failed jobs, newest last failure first, `limit`
 * at a time after `cursor`: a few rows of failure_groups, whatever the size of
 * the jobs table. nextCursor is null on the last page.
 */
export async function listFailureGroups(
  engine: Engine, args: { limit: number; cursor?: FailureGroupCursor | null },
): Promise<{ groups: FailureGroup[]; nextCursor: FailureGroupCursor | null }> {
  const after: SqlArg[] = args.cursor ? [args.cursor.lastSeen, args.cursor.name, args.cursor.fingerprint] : [];
  const rows = await engine.all<{ name: string; fingerprint: string; failed: number; first_seen: number; last_seen: number; error_name: string | null; message: string | null; frame: string | null }>(
    failureGroupSql.list(Boolean(args.cursor)), [...after, args.limit],
  );
  const groups = rows.map((r) => ({
    name: r.name, fingerprint: r.fingerprint, errorName: r.error_name, message: r.message, frame: r.frame,
    failed: Number(r.failed), firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen),
  }));
  const last = groups.at(-1);
  return { groups, nextCursor: groups.length === args.limit && last ? { lastSeen: last.lastSeen, name: last.name, fingerprint: last.fingerprint } : null };
}

/** A group's fingerprint as jobs.fingerprint holds it: the 'unknown' group's jobs have none (the triggers count them under 'unknown'). */
export const groupFingerprintArg = (fingerprint: string): string | null => (fingerprint === unknownFingerprint ? null : fingerprint);

/** Where the next chunk of a group's jobs starts: the last job of this one. */
export interface GroupJobCursor {
  completedAt: number;
  id: string;
}

/**
 * Read-only. The ids of one group's failed jobs, newest failure first, `limit`
 * at a time after `before`: what a retry or discard of the group walks, a
 * chunk at a time (jobs retried or deleted leave the group, so such a walk
 * may also just ask for the first chunk again). A covering read of
 * jobs_failure_idx. The group's size is its `failed` count, for a dry run.
 * `next` is null on the last chunk.
 */
export async function failedJobIdsOfGroup(
  engine: Engine, args: { name: string; fingerprint: string; limit: number; before?: GroupJobCursor | null },
): Promise<{ ids: string[]; next: GroupJobCursor | null }> {
  const after: SqlArg[] = args.before ? [args.before.completedAt, args.before.id] : [];
  const rows = await engine.all<{ id: string; completed_at: number }>(
    failureGroupSql.jobIds(Boolean(args.before)), [args.name, groupFingerprintArg(args.fingerprint), ...after, args.limit],
  );
  const last = rows.at(-1);
  return { ids: rows.map((r) => r.id), next: rows.length === args.limit && last ? { completedAt: Number(last.completed_at), id: last.id } : null };
}

/** Read-only. One group with its description by primary key, or null when no job ever failed with it. */
export async function getFailureGroup(engine: Engine, args: { name: string; fingerprint: string }): Promise<FailureGroup | null> {
  const [r] = await engine.all<{ name: string; fingerprint: string; failed: number; first_seen: number; last_seen: number; error_name: string | null; message: string | null; frame: string | null }>(
    `SELECT g.name, g.fingerprint, g.failed, g.first_seen, g.last_seen, f.error_name, f.message, f.frame
     FROM failure_groups g LEFT JOIN failure_fingerprints f ON f.fingerprint = g.fingerprint
     WHERE g.name = ? AND g.fingerprint = ?`,
    [args.name, args.fingerprint],
  );
  if (!r) return null;
  return {
    name: r.name, fingerprint: r.fingerprint, errorName: r.error_name, message: r.message, frame: r.frame,
    failed: Number(r.failed), firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen),
  };
}
