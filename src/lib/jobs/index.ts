// The public API apps import as '@/lib/jobs'.
export { Job, type JobClass, type ParamsOf, type ResultOf } from './job';
export { createJob } from './create-job';
export { getDatabase, type AppDatabase, type FileDatabase, type RemoteDatabase } from './database';
export { JobRegistry } from './registry';
export { jobNameOf } from './job-name';
export { jobEvents, type JobEventMap, type JobEventName } from './events';
export { JobFailedError } from './job-failed-error';
export { setQueueRateLimit, clearQueueRateLimit } from './queue-limits';
export { NonRetryableError, RetryLaterError, JobsError, JobTimeoutError, LeaseLostError } from '../../core/errors';
export type {
  BatchOptions, BatchResult, CodeSchedule, DeclaredSchedule, JobContext, ParentJob, JobLogger, JobMetadata, JobOptions, LaterOptions, ParamSchema,
} from './types';
export {
  jobJson, jobDetailJson, readJobsJson, readJobDetailJson, jobJsonOptions, redact,
  type JobJson, type JobDetailJson, type JobJsonOptions, type JobLabel, type JobErrorJson, type AttemptJson, type LogLineJson, type ProgressJson,
} from './json';
