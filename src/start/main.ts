// `npm start` (and `npm run dev` with --dev): migrate, build if needed, then run the web app and a worker together.
// The Docker image runs this too, compiled (its default role, src/image/main.ts).
// First of all: if whoever started us (npm) dies, stop as on SIGTERM rather than run on unsupervised.
import './exit-with-parent.mjs';
import path from 'node:path';
import { setupProcessLog } from '../lib/log/process-log';
import { getConfig, type Config } from '../config/env';
import { isJobsError } from '../core/errors';
import { openEngine, resolveDatabaseUrl } from '../db/client';
import { migrate } from '../db/migrate';
import { issueLoginCode } from '../server/login-code';
import { adminTokenFile, dataDir, getTokens } from '../server/tokens';
import { createPrefixedLog, paint } from './log';
import { buildNeededBecause, nextEnv, runNextBuild } from './next-build';
import { portUnavailableBecause } from './port-check';
import { appProcesses, imageEntry } from './processes';
import { supervise } from './supervisor';
import { waitForHttp } from './wait-for-http';
import { watchSources } from './watch-sources';

const root = path.resolve(import.meta.dirname, '../..');
const dev = process.argv.includes('--dev');
/** How long the web app may take to answer before we stop waiting to print its URL. */
const webReadyLimitMs = 120_000;
/**
 * Signals closer together than this (ms) are one stop request. Under `npm
 * start` a Ctrl-C reaches us twice: from the terminal, and forwarded by npm;
 * a second request would cut the worker's grace short.
 */
const sameRequestWithinMs = 1_000;

// With LOG_FORMAT=json, anything printed through console (a bad configuration's message first) is a JSON line too.
setupProcessLog('supervisor');

let config: Config;
try {
  config = getConfig();
} catch (error) {
  console.error(isJobsError(error) ? error.message : error);
  process.exit(2);
}

const host = process.env.HOSTNAME?.trim() || undefined;
const specs = appProcesses({ root, dev, port: config.port, host });
const log = createPrefixedLog(specs.map((s) => s.name));
const say = log.for('start');

// Signals: during the build they abort it; afterwards they go to the supervisor.
let onSignal: () => void = () => process.exit(130);
let lastSignalAtMs = -Infinity;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - lastSignalAtMs < sameRequestWithinMs) return;
    lastSignalAtMs = now;
    onSignal();
  });
}

try {
  // Before anything else: a second instance must not rebuild .next under the first one.
  const portProblem = await portUnavailableBecause(config.port, host);
  if (portProblem) {
    say(paint.red(`cannot start: ${portProblem}`), { level: 'error' });
    process.exit(1);
  }

  // One absolute URL for every process, whatever its working directory.
  const target = resolveDatabaseUrl(config.databaseUrl, root);
  const databaseUrl = target.kind === 'file' ? `file:${target.location}` : config.databaseUrl;
  const engine = await openEngine(databaseUrl, config.databaseAuthToken, config.busyTimeoutMs);
  say(`database ${engine.location}`); // a server URL without its credentials
  try {
    const applied = await migrate(engine, path.join(root, 'drizzle'));
    say(applied.length ? `applied migrations ${applied.join(', ')}` : 'schema is up to date');
  } finally {
    await engine.close();
  }

  // The image was built when it was made (its web app is Next's standalone server): nothing to build.
  if (!dev && !imageEntry) {
    const reason = buildNeededBecause(root);
    if (reason) {
      say(`building the web app: ${reason}`);
      const abort = new AbortController();
      onSignal = () => abort.abort();
      await runNextBuild(root, { onLine: log.for('build'), signal: abort.signal });
    } else {
      say('web app build is up to date');
    }
  }

  // Closed by default: with no JOBS_ADMIN_TOKEN, make one (kept in the data folder) and a one-time sign-in link to print.
  const loginCode = getTokens().adminSource === 'file' ? issueLoginCode(dataDir(config), Date.now()) : null;

  const supervision = supervise(specs, {
    cwd: root,
    env: {
      ...nextEnv(),
      // Read first by every child (an app's own DATABASE_URL may point at another database).
      JOBS_DATABASE_URL: databaseUrl,
      // Children write to a pipe; keep their colours when we write to a terminal.
      ...(paint.level > 0 ? { FORCE_COLOR: '1' } : {}),
    },
    stopGraceMs: config.shutdownGraceMs + config.abortGraceMs + 5_000,
    log,
    // In dev a worker that crashes at start (a file saved half-written) waits for the next save.
    onCrashLoop: dev ? 'wait' : 'stop-all',
  });
  onSignal = () => supervision.stop();
  if (dev) {
    // `next dev` reloads the web app itself; the worker and the poller load src/ once, at start.
    const reloaded = specs.filter((spec) => spec.reloadOnChange).map((spec) => spec.name);
    const unwatch = watchSources(path.join(root, 'src'), {
      onChange: (files) => supervision.restart(reloaded, `${describeChanges(files)} changed`),
      onError: (error) => say(paint.red(`stopped watching src/ (${error.message}): restart npm run dev to pick up changes`), { level: 'error' }),
    });
    void supervision.done.then(unwatch);
  }

  const stopped = new AbortController();
  void supervision.done.then(() => stopped.abort());
  const reachable = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${config.port}`;
  if (await waitForHttp(url, webReadyLimitMs, stopped.signal)) {
    const open = loginCode ? `${url}/login?code=${loginCode}` : url;
    say(paint.bold(`Fluent Jobs is running${dev ? ' (dev)' : ''}: open ${paint.underline(open)}  (Ctrl-C stops it)`));
    say(loginCode
      ? `that link signs you in once; after that, sign in with the token in ${adminTokenFile(dataDir(config))}`
      : 'sign in with JOBS_ADMIN_TOKEN (or JOBS_READONLY_TOKEN to look only)');
  }
  process.exit(await supervision.done);
} catch (error) {
  if (error instanceof Error && error.name === 'AbortError') {
    say('build interrupted');
    process.exit(130);
  }
  say(paint.red(isJobsError(error) ? error.message : error instanceof Error ? error.message : String(error)), { level: 'error' });
  process.exit(1);
}

function describeChanges(files: string[]): string {
  const [first, ...others] = files.map((file) => path.join('src', file));
  return others.length ? `${first} and ${others.length} more` : first;
}
