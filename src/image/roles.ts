import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobsError } from '../core/errors';
import { projectRoot } from '../db/migrate';

/** What a container of the image runs: `docker run IMAGE <role> [arguments]`. */
export const roles = {
  all: 'the web app, a worker and the cron poller under the supervisor, as npm start (the default)',
  web: "the web app alone: Next.js's standalone server, on PORT",
  worker: 'one worker (JOBS_QUEUES, JOBS_CONCURRENCY)',
  cron: 'one cron poller',
  jobs: 'the CLI, as bin/jobs (e.g. jobs list --status failed)',
  health: "the image's HEALTHCHECK: exits 0 when this container is healthy",
} as const;

export type Role = keyof typeof roles;

export function isRole(word: string): word is Role {
  return Object.hasOwn(roles, word);
}

/** What to say of a word that is no role: the roles there are. */
export function unknownRole(word: string): string {
  const list = Object.entries(roles).map(([name, what]) => `  ${name.padEnd(7)} ${what}`);
  return [`Unknown role "${word}". The image runs one of:`, ...list].join('\n');
}

/**
 * Where the image keeps Next's standalone server: its server.js at the project root, beside
 * .build/ (the Dockerfile copies .next/standalone/ there).
 */
export const standaloneServer = path.join(projectRoot, 'server.js');

/**
 * As npm start does: with no JOBS_ADMIN_TOKEN, the admin token is generated into the data folder
 * (a volume), and a one-time sign-in link goes to the container's log (`docker logs`).
 */
async function printSignInLink(): Promise<void> {
  const [{ getConfig }, { getTokens, dataDir, adminTokenFile }, { issueLoginCode }] = await Promise.all([
    import('../config/env'),
    import('../server/tokens'),
    import('../server/login-code'),
  ]);
  if (getTokens().adminSource !== 'file') return;
  const code = issueLoginCode(dataDir(), Date.now());
  console.log(`Sign in once at http://localhost:${getConfig().port}/login?code=${code} (or your host and published port);`
    + ` after that with the token in ${adminTokenFile(dataDir())}`);
}

/** The supervisor starts the web role with this argument (src/start/processes.ts). */
export const supervisedFlag = '--supervised';

/** Runs the role in this process; resolves when it is done (most roles end the process themselves). */
export async function runRole(role: Role, args: string[]): Promise<void> {
  switch (role) {
    case 'all':
      await import('../start/main');
      return;
    case 'web':
      if (!fs.existsSync(standaloneServer)) {
        throw new JobsError('config', `No web server at ${standaloneServer}: the web role runs the Docker image's Next.js standalone build (in a checkout, npm start serves the app)`);
      }
      // Under the supervisor (role all), which prints its own link once the server answers: none here.
      if (!args.includes(supervisedFlag)) await printSignInLink();
      await import(pathToFileURL(standaloneServer).href);
      return;
    case 'worker':
      // A failing job's stack is stored with its attempt and groups failures by its top frame:
      // name the sources there, as a worker run from src/ does, not the bundle's chunks.
      process.setSourceMapsEnabled(true);
      await import('../worker/main');
      return;
    case 'cron':
      await import('../cron/main');
      return;
    case 'jobs': {
      const { runCli } = await import('../cli/main');
      process.exitCode = await runCli(args);
      return;
    }
    case 'health': {
      const { checkHealth } = await import('./health');
      process.exitCode = await checkHealth();
      return;
    }
  }
}
