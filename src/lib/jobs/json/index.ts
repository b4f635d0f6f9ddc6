// The job's public JSON: one pure shape, and the reads that feed it.
export {
  jobJson, jobDetailJson, errorName,
  type JobJson, type JobDetailJson, type JobJsonOptions, type JobLabel, type JobErrorJson, type AttemptJson, type LogLineJson, type ProgressJson,
} from './job-json';
export { redact, redacted, encrypted } from './redact';
export { jobJsonOptions, readJobsJson, readJobDetailJson } from './read';
export { jobChangeJson, type JobChangeJson, type JobChangeSummary, type JobChangeType } from './change-json';
