import { getConfig } from '../../../config/env';
import type { JobRow } from '../../../db/schema';
import type { Engine } from '../../../db/engine';
import { dependsOnOf, getJobDetail } from '../../../store/queries';
import { jobDetailJson, jobJson, type JobDetailJson, type JobJson, type JobJsonOptions } from './job-json';

/** The options of this process: its clock now and its JOBS_REDACT_KEYS. */
export function jobJsonOptions(): JobJsonOptions {
  return { now: Date.now(), redactKeys: getConfig().redactKeys };
}

/** Read-only. A page of stored jobs as their JSON, with their dependencies read in one query for the page. */
export async function readJobsJson(engine: Engine, rows: readonly JobRow[], options: JobJsonOptions = jobJsonOptions()): Promise<JobJson[]> {
  const parents = await dependsOnOf(engine, rows.map((r) => r.id));
  return rows.map((row) => jobJson(row, parents.get(row.id) ?? [], options));
}

/** Read-only. One job, named by anything resolveJobId accepts, as its detail JSON; not_found or ambiguous_id otherwise. */
export async function readJobDetailJson(engine: Engine, typed: string, options: JobJsonOptions = jobJsonOptions()): Promise<JobDetailJson> {
  return jobDetailJson(await getJobDetail(engine, typed), options);
}
