// The Docker image's one entry point, compiled to .build/image/main.mjs (src/image/bundle.mjs):
//   node .build/image/main.mjs [role] [arguments]
// The role picks what the container runs (see roles.ts). Each role runs in this very process,
// imported rather than started as a child, so that the signal `docker stop` sends (through tini,
// PID 1) reaches the code doing the work: a worker finishes its running jobs.
import { isJobsError } from '../core/errors';
import { isRole, runRole, unknownRole } from './roles';

const [role = 'all', ...args] = process.argv.slice(2);
if (!isRole(role)) {
  console.error(unknownRole(role));
  process.exit(2);
}
try {
  await runRole(role, args);
} catch (error) {
  console.error(isJobsError(error) ? error.message : error);
  process.exit(1);
}
