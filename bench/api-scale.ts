// Server time of the list and stats endpoints with a big jobs table: a temp database
// holding --jobs jobs (bench/scale-fill.ts: a week of mostly finished jobs and a
// backlog), a real `next start` on it, then --runs timed requests per endpoint.
// Server time is measured on loopback, from sending the request to the last byte
// of the answer; the medians are the figures to compare. Beyond the issue's six
// requests it times lists whose matches are few (running, a name with no jobs),
// the last page of a walk through the failed and the pending list, and the
// signed-in home page; and it prints how long each of those two walks took.
//
//   npm run bench:api -- [--jobs 1000000] [--runs 5] [--failures uniform|incident] [--keep] [--db /path/to/filled.db]
//
// --failures incident puts every failure in one day three days ago (an outage) instead
// of 1 job in 20 all week: a list by state then has no match among the newest rows.
// --keep leaves the database in place (its path is printed); --db benches a file an
// earlier --keep run filled, skipping the fill.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openEngine } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { createSession, sessionCookieName } from '../src/server/session';
import { ensureBuilt, startNextServer } from './next-server';
import { fillJobs, runningJobs, settleFill } from './scale-fill';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    db: { type: 'string' },
    failures: { type: 'string', default: 'uniform' },
  },
});
const jobCount = Number(values.jobs);
if (values.failures !== 'uniform' && values.failures !== 'incident') throw new Error('--failures is uniform or incident');
const failures = values.failures;
const runs = Number(values.runs);
const token = 'bench-api-scale-admin-token';
const say = (line: string) => process.stdout.write(`${line}\n`);

const dir = values.db ? path.dirname(path.resolve(values.db)) : fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-jobs-api-scale-'));
const file = values.db ? path.resolve(values.db) : path.join(dir, 'jobs.db');
const url = `file:${file}`;

async function fill(): Promise<void> {
  const engine = await openEngine(url, undefined, 5_000);
  try {
    await migrate(engine);
    const t0 = performance.now();
    const { byState, minutes } = await fillJobs(engine, jobCount, Date.now(), failures);
    const filledMs = performance.now() - t0;
    await settleFill(engine);
    const settledMs = performance.now() - t0;
    say(`fill: ${jobCount.toLocaleString('en')} jobs in ${(filledMs / 1000).toFixed(1)} s (${Math.round(jobCount / (filledMs / 1000)).toLocaleString('en')} jobs/s, triggers included), `
      + `${(settledMs / 1000).toFixed(1)} s with the feed pruned, job_counts checked and the WAL checkpointed`);
    say(`      failures ${failures}; ${Object.entries(byState).map(([state, n]) => `${state} ${n.toLocaleString('en')}`).join(', ')}; ${minutes.toLocaleString('en')} job_minutes rows; `
      + `${(fs.statSync(file).size / 1e6).toFixed(0)} MB`);
  } finally {
    await engine.close();
  }
}

interface Timing {
  status: number;
  ms: number;
  bytes: number;
  jobs: number | null;
  nextCursor: string | null;
}

async function timeOne(base: string, p: string, cookie?: string): Promise<Timing> {
  const t0 = performance.now();
  const response = await fetch(base + p, { headers: cookie ? { cookie } : { authorization: `Bearer ${token}` }, redirect: 'manual' });
  const body = Buffer.from(await response.arrayBuffer());
  const ms = performance.now() - t0;
  let parsed: { jobs?: unknown[]; nextCursor?: string | null } = {};
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // not JSON (a 404 page)
  }
  return { status: response.status, ms, bytes: body.length, jobs: Array.isArray(parsed.jobs) ? parsed.jobs.length : null, nextCursor: parsed.nextCursor ?? null };
}

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Walks a list to its end, `limit=500` a page, with the cursors it hands out:
 * how long the whole walk took, and the path of its last page (to time alone).
 */
async function walkToEnd(base: string, list: string): Promise<{ pages: number; jobs: number; ms: number; lastPage: string }> {
  let page = `${list}&limit=500`;
  let pages = 0;
  let jobs = 0;
  const t0 = performance.now();
  for (;;) {
    const answer = await timeOne(base, page);
    if (answer.status !== 200) throw new Error(`${page}: ${answer.status}`);
    pages++;
    jobs += answer.jobs ?? 0;
    if (!answer.nextCursor) return { pages, jobs, ms: performance.now() - t0, lastPage: page };
    page = `${list}&limit=500&cursor=${answer.nextCursor}`;
  }
}

async function bench(base: string): Promise<void> {
  // Page 2 needs page 1's cursor, a last page the cursors of a whole walk: asked before the timed runs.
  const page1 = await timeOne(base, '/api/jobs?state=failed');
  const walks: string[] = [];
  const lastPages: Record<string, string> = {};
  for (const list of ['/api/jobs?state=failed', '/api/jobs?state=pending']) {
    const walk = await walkToEnd(base, list);
    lastPages[list] = walk.lastPage;
    walks.push(`  ${`${list}&limit=500, every page`.padEnd(60)} ${walk.pages} pages, ${walk.jobs.toLocaleString('en')} jobs in ${walk.ms.toFixed(0)} ms`);
  }
  const session = `${sessionCookieName}=${createSession('admin', Date.now(), { admin: token, adminSource: 'env' })}`;
  const endpoints: { path: string; note?: string; cookie?: string }[] = [
    { path: '/api/jobs?state=failed' },
    { path: `/api/jobs?state=failed&cursor=${page1.nextCursor}`, note: 'page 2' },
    { path: '/api/jobs?state=pending' },
    { path: '/api/jobs?state=completed&name=resize-image' },
    { path: '/api/jobs?param.tenant.id=42' },
    { path: '/api/stats' },
    // Beyond the issue's list: lists whose matches are few or sparse, the last pages, and the home page.
    { path: '/api/jobs?state=cancelled', note: 'extra' },
    { path: '/api/jobs?state=running', note: `extra: ${runningJobs} jobs, fewer than a page` },
    { path: '/api/jobs?state=completed&name=no-such-name', note: 'extra: a name with no jobs' },
    { path: '/api/jobs', note: 'extra: no filter' },
    { path: lastPages['/api/jobs?state=failed'], note: 'extra: the last page of failed, limit=500' },
    { path: lastPages['/api/jobs?state=pending'], note: 'extra: the last page of pending, limit=500' },
    { path: '/', cookie: session, note: 'extra: the home page, signed in (newest 20 and the counts per state)' },
  ];
  for (const endpoint of endpoints) await timeOne(base, endpoint.path, endpoint.cookie); // warm-up: route compiled, statements prepared, pages cached
  say('');
  say(`GET, ${runs} runs each, ms from request to last byte on 127.0.0.1 (median first); load average ${loadAverage()} on ${os.cpus().length} cores`);
  for (const endpoint of endpoints) {
    const timings: Timing[] = [];
    for (let i = 0; i < runs; i++) timings.push(await timeOne(base, endpoint.path, endpoint.cookie));
    const last = timings[timings.length - 1];
    const shown = endpoint.path.length > 60 ? `${endpoint.path.slice(0, 57)}...` : endpoint.path;
    const what = last.status === 404 && endpoint.path === '/api/stats' ? 'not built in this branch (404)'
      : `${last.status}, ${last.jobs === null ? '' : `${last.jobs} jobs, `}${last.bytes.toLocaleString('en')} bytes`;
    say(`  ${shown.padEnd(60)} median ${medianOf(timings.map((t) => t.ms)).toFixed(1).padStart(7)}  runs ${timings.map((t) => t.ms.toFixed(1)).join(' ')}  (${what}${endpoint.note ? `; ${endpoint.note}` : ''})`);
  }
  say('');
  say('Walks to the end, once each (client time, all pages):');
  for (const line of walks) say(line);
  say(`load average ${loadAverage()} at the end (other processes on the machine widen the runs' spread)`);
}

const loadAverage = () => os.loadavg().map((n) => n.toFixed(1)).join(' ');

if (!values.db) await fill();
else say(`database: ${file} (filled earlier; not refilled)`);
await ensureBuilt(say);
const server = await startNextServer({ DATABASE_URL: url, JOBS_DATA_DIR: dir, JOBS_ADMIN_TOKEN: token });
say(`next start: ${server.url} (pid ${server.pid}) on ${file}`);
try {
  await bench(server.url);
} finally {
  await server.stop();
  if (values.keep || values.db) say(`kept ${file}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
