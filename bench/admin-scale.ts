// Server time of the admin pages with a million jobs (issue 10, "Speed"): a temp database
// filled by bench/admin-fill.ts (800,000 completed, 150,000 failed in 40 failure groups,
// 50,000 pending and running, over the last 24 h), a real `next start` on it, signed in
// through the login form with the admin token as a person is, then each page asked for
// once to warm up and --runs times timed. Server time is measured on loopback, from sending
// the request to the last byte of the body. Every answer must be a 200 that shows what was
// asked for (a job id, a group, a worker), so a redirect to the login page is never timed.
//
//   npm run bench:admin -- [--jobs 1000000] [--runs 5] [--keep] [--db /path/to/filled.db]
//
// --keep leaves the database in place (its path is printed); --db benches a file an earlier
// --keep run filled, skipping the fill (its workers' heartbeats and leases are made current).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openEngine } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { cookieOf, submitLoginForm, unescapeHtml } from '../test/e2e/login-form';
import { fillAdminDatabase, refreshLiveRows, smallQueue } from './admin-fill';
import { readTargets, type BenchTargets } from './admin-targets';
import { ensureBuilt, startNextServer } from './next-server';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});
const jobCount = Number(values.jobs);
const runs = Number(values.runs);
const token = 'bench-admin-scale-admin-token';
/** The issue's bound for each page's median. */
const boundMs = 200;
/** Rows on a page of the admin jobs list (src/app/admin/jobs/page.tsx). */
const listPageSize = 50;
const say = (line: string) => process.stdout.write(`${line}\n`);

const dir = values.db ? path.dirname(path.resolve(values.db)) : fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-jobs-admin-scale-'));
const file = values.db ? path.resolve(values.db) : path.join(dir, 'jobs.db');
const url = `file:${file}`;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

/** Fills (or, with --db, refreshes) the database and reads what the pages will be asked for. */
async function prepare(): Promise<BenchTargets> {
  const engine = await openEngine(url, undefined, 5_000);
  try {
    await migrate(engine);
    if (!values.db) {
      say(`fill: ${jobCount.toLocaleString('en')} jobs into ${file}`);
      const fill = await fillAdminDatabase(engine, jobCount, Date.now(), say);
      say(`fill: ${((fill.insertMs + fill.settleMs) / 1000).toFixed(1)} s: inserts ${(fill.insertMs / 1000).toFixed(1)} s (jobs, attempts, minutes, workers, schedules, activity), `
        + `then ${(fill.settleMs / 1000).toFixed(1)} s to fold the change feed into job_counts, prune it, check the counts, failure groups and minutes, checkpoint`);
      say(`      ${Object.entries(fill.byState).map(([state, n]) => `${state} ${n.toLocaleString('en')}`).join(', ')}; `
        + `${fill.attempts.toLocaleString('en')} attempts, ${fill.minutes.toLocaleString('en')} job_minutes rows`);
    } else {
      say(`database: ${file} (filled earlier; not refilled)`);
    }
    await refreshLiveRows(engine, Date.now());
    const [{ pages, free, pageSize }] = await engine.all<{ pages: number; free: number; pageSize: number }>(
      'SELECT (SELECT page_count FROM pragma_page_count) AS pages, (SELECT freelist_count FROM pragma_freelist_count) AS free, (SELECT page_size FROM pragma_page_size) AS pageSize');
    say(`database: ${mb(fs.statSync(file).size)} on disk (${mb(Number(free) * Number(pageSize))} of it free pages, the pruned change feed's), `
      + `${mb((Number(pages) - Number(free)) * Number(pageSize))} in use`);
    return await readTargets(engine, listPageSize);
  } finally {
    await engine.close();
  }
}

interface Answer {
  status: number;
  /** Where a redirect goes. */
  location: string | null;
  ms: number;
  bytes: number;
  body: string;
}

async function ask(base: string, p: string, cookie: string): Promise<Answer> {
  const t0 = performance.now();
  const response = await fetch(base + p, { headers: { cookie }, redirect: 'manual' });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, location: response.headers.get('location'), ms: performance.now() - t0, bytes: body.length, body: body.toString('utf8') };
}

/** Signs in through the login form with the admin token, as a person does; the session cookie. */
async function signIn(base: string): Promise<string> {
  const response = await submitLoginForm(base, { token, next: '/admin' });
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}, not 303`);
  return cookieOf(response);
}

interface Page {
  label: string;
  path: string;
  /** Why the answer is not the page asked for, or null. */
  check(body: string): string | null;
  /** Beyond the issue's list: timed and shown, but not held to the bound. */
  extra?: boolean;
  /** A page that answers with a redirect to this path (an id search) instead of a 200. */
  redirectsTo?: string;
}

const needs = (...texts: string[]) => (body: string) => {
  const missing = texts.filter((t) => !body.includes(t));
  return missing.length ? `does not show ${missing.join(', ')}` : null;
};

/** The href of a page's link with this data-testid ("Next page", "Older failures", "Older entries"). */
function linkHref(html: string, testId: string): string {
  const link = new RegExp(`<a[^>]*data-testid="${testId}"[^>]*>`).exec(html)?.[0];
  const href = link && /href="([^"]*)"/.exec(link)?.[1];
  if (!href) throw new Error(`no ${testId} link on the page`);
  return unescapeHtml(href);
}

/** The group page's path of the biggest failure group. */
const groupPath = (t: BenchTargets) => `/admin/failures/${encodeURIComponent(t.group.name)}/${encodeURIComponent(t.group.fingerprint)}`;

/** The second pages, from the first pages' own links, as a person follows them. */
interface NextPages {
  failed: string;
  group: string;
  activity: string;
}

async function nextPages(base: string, cookie: string, t: BenchTargets): Promise<NextPages> {
  const bodyOf = async (p: string) => {
    const answer = await ask(base, p, cookie);
    if (answer.status !== 200) throw new Error(`${p} answered ${answer.status} after signing in`);
    return answer.body;
  };
  return {
    failed: linkHref(await bodyOf('/admin/jobs?state=failed'), 'next-page'),
    group: linkHref(await bodyOf(groupPath(t)), 'next-page'),
    activity: linkHref(await bodyOf('/admin/activity'), 'activity-next'),
  };
}

function pagesOf(t: BenchTargets, next: NextPages): Page[] {
  const group = groupPath(t);
  const secondPage = next.failed;
  const shortForm = `${t.newestFailed.slice(0, 8)}…${t.newestFailed.slice(-4)}`;
  return [
    { label: 'overview', path: '/admin', check: needs('data-testid="count-failed"', 'data-testid="queue-row"', 'data-testid="failure-group"', 'data-alive="3"') },
    { label: 'jobs, state failed', path: '/admin/jobs?state=failed', check: needs(`data-job-id="${t.newestFailed}"`) },
    { label: 'jobs, state failed, page 2', path: secondPage, check: (b) => needs(`data-job-id="${t.secondPageFailed}"`)(b) ?? (b.includes(`data-job-id="${t.newestFailed}"`) ? 'shows page 1' : null) },
    { label: `jobs, params search`, path: `/admin/jobs?param.user.id=${t.userId}`, check: needs(`data-job-id="${t.userJob}"`) },
    { label: 'job detail (failed, 3 attempts)', path: `/admin/jobs/${t.newestFailed}`, check: needs(t.newestFailed, 'data-state="failed"', 'Attempts') },
    { label: 'failures', path: '/admin/failures', check: needs(`data-fingerprint="${t.group.fingerprint}"`) },
    { label: `failure group (${t.group.failed.toLocaleString('en')} jobs)`, path: group, check: needs(`data-job-id="${t.group.newestJob}"`) },
    { label: 'queues', path: '/admin/queues', check: needs('data-queue="email"', `data-queue="${smallQueue.queue}"`) },
    { label: 'workers', path: '/admin/workers', check: needs(t.aliveWorker, t.deadWorker, 'data-status="dead"') },
    { label: 'schedules', path: '/admin/schedules', check: needs(`data-name="${t.schedule}"`) },
    { label: 'activity', path: '/admin/activity', check: needs('data-testid="activity-row"', 'session.login') },
    // Beyond the issue's list. First, not an admin page: the same param search through the API, what the store's search costs.
    { label: 'API: the params search', path: `/api/jobs?param.user.id=${t.userId}`, check: needs(t.userJob), extra: true },
    { label: 'jobs, state pending', path: '/admin/jobs?state=pending', check: needs('data-state="pending"'), extra: true },
    { label: 'jobs, state running', path: '/admin/jobs?state=running', check: needs(`data-job-id="${t.deadWorkersJob}"`), extra: true },
    { label: 'jobs, no filter', path: '/admin/jobs', check: needs('data-testid="admin-job-row"'), extra: true },
    { label: 'jobs, queue email', path: '/admin/jobs?queue=email', check: needs('data-testid="admin-job-row"'), extra: true },
    { label: 'jobs, completed digest', path: '/admin/jobs?state=completed&name=digest', check: needs('data-state="completed"'), extra: true },
    { label: `jobs, small queue ${smallQueue.queue}`, path: `/admin/jobs?queue=${smallQueue.queue}`, check: needs('data-testid="admin-job-row"'), extra: true },
    { label: `jobs, ${smallQueue.queue}, pending`, path: `/admin/jobs?queue=${smallQueue.queue}&state=pending`, check: needs('data-state="pending"'), extra: true },
    { label: `jobs, ${smallQueue.queue}, completed`, path: `/admin/jobs?queue=${smallQueue.queue}&state=completed`, check: needs('data-state="completed"'), extra: true },
    { label: 'jobs, a mistyped queue', path: '/admin/jobs?queue=emial', check: needs('No jobs match.'), extra: true },
    { label: 'id search, short form', path: `/admin/jobs?id=${encodeURIComponent(shortForm)}`, check: () => null, redirectsTo: `/admin/jobs/${t.newestFailed}`, extra: true },
    { label: 'id search, 8-character tail', path: `/admin/jobs?id=${t.newestFailed.slice(-8)}`, check: () => null, redirectsTo: `/admin/jobs/${t.newestFailed}`, extra: true },
    { label: 'job detail, newest ready job', path: `/admin/jobs/${t.newestReady}`, check: needs(t.newestReady, 'data-state="pending"'), extra: true },
    { label: "job detail, dead worker's job", path: `/admin/jobs/${t.deadWorkersJob}`, check: needs(t.deadWorkersJob, 'data-state="running"'), extra: true },
    { label: 'failure group, page 2', path: next.group, check: needs('data-testid="group-job"'), extra: true },
    { label: 'activity, page 2', path: next.activity, check: needs('data-testid="activity-row"'), extra: true },
  ];
}

/** Why an answer is not the page asked for, or null. */
function wrongAnswer(page: Page, answer: Answer): string | null {
  if (page.redirectsTo) return answer.status === 307 && answer.location?.endsWith(page.redirectsTo) ? null : `answered ${answer.status} ${answer.location ?? ''}`;
  return answer.status === 200 ? page.check(answer.body) : `answered ${answer.status}`;
}

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench(base: string, targets: BenchTargets): Promise<boolean> {
  const cookie = await signIn(base);
  const pages = pagesOf(targets, await nextPages(base, cookie, targets));
  for (const page of pages) await ask(base, page.path, cookie); // warm-up: route loaded, statements prepared
  say('');
  say(`GET, signed in, ${runs} runs each after one warm-up; ms from request to last byte on 127.0.0.1; `
    + `load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  say(`  ${'page'.padEnd(36)} ${'median'.padStart(8)} ${'max'.padStart(8)} ${'bytes'.padStart(9)}  verdict`);
  let allOk = true;
  for (const page of pages) {
    const answers: Answer[] = [];
    for (let i = 0; i < runs; i++) answers.push(await ask(base, page.path, cookie));
    const bad = answers.map((a) => wrongAnswer(page, a)).find((why) => why !== null);
    const median = medianOf(answers.map((a) => a.ms));
    const max = Math.max(...answers.map((a) => a.ms));
    const verdict = `${bad ? `WRONG PAGE: ${bad}` : median > boundMs ? `OVER ${boundMs} ms` : 'ok'}${page.extra ? ' (extra)' : ''}`;
    if (!page.extra && (bad || median > boundMs)) allOk = false;
    say(`  ${page.label.padEnd(36)} ${median.toFixed(1).padStart(8)} ${max.toFixed(1).padStart(8)} ${answers.at(-1)!.bytes.toLocaleString('en').padStart(9)}  ${verdict}`);
    say(`  ${''.padEnd(36)} ${page.path.length > 90 ? `${page.path.slice(0, 87)}...` : page.path}`);
  }
  say(`load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')} at the end`);
  return allOk;
}

const targets = await prepare();
await ensureBuilt(say);
const server = await startNextServer({ DATABASE_URL: url, JOBS_DATA_DIR: dir, JOBS_ADMIN_TOKEN: token });
say(`next start: ${server.url} (pid ${server.pid}) on ${file}`);
let ok = false;
try {
  ok = await bench(server.url, targets);
} finally {
  await server.stop();
  if (values.keep || values.db) say(`kept ${file}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
process.exitCode = ok ? 0 : 1;
