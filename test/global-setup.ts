// Once per `npm test`, before any test file: build the Next.js app if its build is missing or stale,
// so test files that start `next start` or `npm start` never build it themselves, twice at once;
// and the compiled CLI, so that the tests' many bin/jobs runs do not each find it stale and build it.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { buildNeededBecause, runNextBuild } from '../src/start/next-build';

export default async function setup(): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'src/cli/bundle/build.mjs'), '--if-stale'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  // A helper running a few store or unit files may say it needs no Next.js app; npm test never sets this.
  if (process.env.JOBS_TEST_SKIP_NEXT_BUILD === '1') return;
  const reason = buildNeededBecause(root);
  if (!reason) return;
  console.log(`[global setup] next build: ${reason}`);
  await runNextBuild(root);
}
