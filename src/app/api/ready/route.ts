import { JobsError, describeError, isJobsError } from '@/core/errors';
import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { schemaProblem } from '@/store/readiness';

export const dynamic = 'force-dynamic';

/** Readiness: the database answers and has this code's schema (200), else 503 with the reason. No auth. */
export const GET = withApi(async () => {
  let problem: string | null;
  try {
    problem = await schemaProblem(await getEngine());
  } catch (error) {
    problem = `the database cannot be opened and migrated: ${isJobsError(error) ? error.message : describeError(error).message}`;
  }
  if (problem) throw new JobsError('database_unavailable', problem);
  return { status: 'ready' };
}, { role: 'none' });
