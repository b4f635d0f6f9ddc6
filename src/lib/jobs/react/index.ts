// The React side of the public API, imported by app pages as '@/lib/jobs/react' (kept out of
// '@/lib/jobs' so that workers and the CLI never load React).
export { JobProgress } from './job-progress';
export { useJobProgress, type JobProgressState } from './use-job-progress';
export { readJobProgress, type JobProgressView } from './read-job-progress';
