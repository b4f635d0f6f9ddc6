// The scale rows of `npm run bench` (issue 11), each against its own baseline:
//   2  B (harness workload, unchanged) on a table of --fill finished jobs, next to an empty table
//   3  --procs worker processes draining one file, next to 1 process: jobs/s, claim statement
//      p50/p99, busy errors (caught and retried, and any that reached a job)
//   4  one idle worker process: CPU time over --idle-seconds, as % of one core
//   5  one worker process: RSS after each --memory-at count of no-op jobs, last / first
// Run by `npm run bench` after the peer comparison, or alone:
//   npm run bench -- --scale-only [--runs 1] [--n 20000] [--warmup 500] [--batch 1000]
//        [--fill 1000000] [--fill-concurrency 16,64] [--procs 4] [--procs-concurrency 16]
//        [--idle-seconds 60] [--memory-at 50000,500000] [--memory-concurrency 16]
//        [--only-rows 2,3,4,5] [--profile]
// --runs repeats rows 3-5 (row 2 passes it to the harness) and prints medians.
// --profile runs the workers of rows 4 and 5 under `node --cpu-prof` and prints
// their top 10 frames by self time (the profiler's overhead is in those figures).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../harness';
import { loadAverage } from '../machine';
import { fullTableRow, type FullTableResult } from './full-table';
import { idleWorker, type IdleResult } from './idle';
import { workerMemory, type MemoryResult } from './memory';
import { drainWithProcesses, type DrainResult } from './processes';
import { profilesIn, topFrames, type Window } from './profile-top';
import { median } from './stats';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1' },
    n: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '500' },
    batch: { type: 'string', default: '1000' },
    fill: { type: 'string', default: '1000000' },
    'fill-concurrency': { type: 'string', default: '16,64' },
    procs: { type: 'string', default: '4' },
    'procs-concurrency': { type: 'string', default: '16' },
    'idle-seconds': { type: 'string', default: '60' },
    'memory-at': { type: 'string', default: '50000,500000' },
    'memory-concurrency': { type: 'string', default: '16' },
    'only-rows': { type: 'string', default: '2,3,4,5' },
    profile: { type: 'boolean', default: false },
  },
});
const numbers = (s: string) => s.split(',').map((x) => Number(x.trim())).filter((x) => Number.isFinite(x) && x > 0);
const runs = Number(values.runs);
const n = Number(values.n);
const warmup = Number(values.warmup);
const batch = Number(values.batch);
const fill = Number(values.fill);
const procs = Number(values.procs);
const procsConcurrency = Number(values['procs-concurrency']);
const idleSeconds = Number(values['idle-seconds']);
const memoryAt = numbers(values['memory-at']);
const rowsWanted = new Set(numbers(values['only-rows']));
const say = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`[scale] ${line}\n`);
const int = (x: number | null | undefined) => (x === null || x === undefined ? '–' : Math.round(x).toLocaleString('en-US'));
const ms = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(0));
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const ratio = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(2));
const verdict = (ok: boolean | null) => (ok === null ? '' : ok ? ' (met)' : ' (NOT met)');

const profileRoot = path.join(projectRoot, '.bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
const profileArgs = (row: string) => (values.profile ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileRoot, row)] : undefined);
/** The profiled rows: where each process wrote its profiles and the window that was measured. */
const profiled: { row: string; window: Window }[] = [];

interface Table {
  full?: FullTableResult;
  drains: { one: DrainResult; many: DrainResult }[];
  idle: IdleResult[];
  memory: MemoryResult[];
}
const table: Table = { drains: [], idle: [], memory: [] };
let code = 0;

async function measure(): Promise<void> {
  note(`load average ${loadAverage()} at the start`);
  if (rowsWanted.has(2)) {
    table.full = await fullTableRow({ fill, concurrency: numbers(values['fill-concurrency']), harness: ['--runs', String(runs), '--n', String(n), '--warmup', String(warmup), '--batch', String(batch)] });
    code ||= table.full.code;
  }
  for (let run = 1; run <= runs; run++) {
    if (rowsWanted.has(3)) {
      note(`run ${run}/${runs}: ${n} jobs, 1 worker process then ${procs}, concurrency ${procsConcurrency} each`);
      const one = await drainWithProcesses({ procs: 1, concurrency: procsConcurrency, n, batch, warmup });
      const many = await drainWithProcesses({ procs, concurrency: procsConcurrency, n, batch, warmup });
      note(`  1 process ${int(one.jobsPerSec)}/s, ${procs} processes ${int(many.jobsPerSec)}/s; claim p99 ${ms(one.claimP99Ms)} / ${ms(many.claimP99Ms)} ms`);
      table.drains.push({ one, many });
    }
    if (rowsWanted.has(4)) {
      note(`run ${run}/${runs}: idle worker for ${idleSeconds} s`);
      const idle = await idleWorker({ seconds: idleSeconds, nodeArgs: profileArgs(`idle-${run}`) });
      profiled.push({ row: `idle-${run}`, window: idle.window });
      note(`  ${idle.percentOfCore.toFixed(2)}% of a core, ${idle.wakeupsPerSecond.toFixed(1)} wake-ups/s`);
      table.idle.push(idle);
    }
    if (rowsWanted.has(5) && memoryAt.length) {
      note(`run ${run}/${runs}: worker memory over ${int(Math.max(...memoryAt))} jobs`);
      const memory = await workerMemory({ marks: memoryAt, concurrency: Number(values['memory-concurrency']), batch, nodeArgs: profileArgs(`memory-${run}`) });
      profiled.push({ row: `memory-${run}`, window: memory.window });
      note(`  ${memory.samples.map((s) => `${int(s.jobs)}: ${mb(s.rssBytes)}`).join(', ')}`);
      table.memory.push(memory);
    }
  }
  note(`load average ${loadAverage()} at the end`);
}

function print(): void {
  const lines = ['| row | ours | against | ratio | target |', '|---|---|---|---|---|'];
  const details: string[] = [];
  if (table.full) {
    for (const r of table.full.rows) {
      lines.push(`| B C=${r.concurrency}, ${int(fill)} finished jobs in the table | ${int(r.fullJobsPerSec)}/s | ${int(r.emptyJobsPerSec)}/s on an empty table | ${ratio(r.ratio)} | >= 0.90${verdict(r.ratio === null ? null : r.ratio >= 0.9)} |`);
      details.push(`  B C=${r.concurrency} jobs/s per run: ${r.runs}`);
    }
    details.push(`  the table: ${table.full.mix} (bench/scale-fill.ts, finishedOnly; one job_attempts row per job that ran), cached in .bench/scale/`);
  }
  if (table.drains.length) {
    const m = (f: (d: DrainResult) => number | null, which: 'one' | 'many') => median(table.drains.map((d) => f(d[which])));
    const one = m((d) => d.jobsPerSec, 'one');
    const many = m((d) => d.jobsPerSec, 'many');
    const reached = table.drains.reduce((t, d) => t + d.one.reachedJobs + d.many.reachedJobs, 0);
    const busy = (which: 'one' | 'many') => table.drains.reduce((t, d) => t + d[which].busyErrors, 0);
    lines.push(`| ${procs} worker processes on one file, C=${procsConcurrency} each, ${int(n)} jobs | ${int(many)}/s | ${int(one)}/s with 1 process | ${ratio(many && one ? many / one : null)} | >= 1.00${verdict(many && one ? many >= one : null)} |`);
    lines.push(`| ${procs} worker processes: claim statement p50 / p99 / max | ${ms(m((d) => d.claimP50Ms, 'many'))} / ${ms(m((d) => d.claimP99Ms, 'many'))} / ${ms(m((d) => d.claimMaxMs, 'many'))} ms | `
      + `${ms(m((d) => d.claimP50Ms, 'one'))} / ${ms(m((d) => d.claimP99Ms, 'one'))} / ${ms(m((d) => d.claimMaxMs, 'one'))} ms with 1 process | – | printed |`);
    lines.push(`| ${procs} worker processes: busy errors that reached a job | ${table.drains.reduce((t, d) => t + d.many.reachedJobs, 0)} | `
      + `${table.drains.reduce((t, d) => t + d.one.reachedJobs, 0)} with 1 process | – | 0${verdict(reached === 0)} |`);
    details.push(`  claim statement: wall time of one claim UPDATE ... RETURNING in a worker, from the call to its rows, including any wait for another process's write lock and the statements of the settles it commits with`
      + ` (a drain has every job due from the start, so "due to claimed" would measure the backlog, not the claim); ${runs > 1 ? 'medians of the runs\' percentiles' : 'percentiles'} over every claim of every process`);
    details.push(`  claims per run: ${table.drains.map((d) => `${int(d.one.claims)} / ${int(d.many.claims)}`).join('; ')} (1 process / ${procs})`);
    details.push(`  busy errors caught and retried by the workers (claim, heartbeat, settle; not a job's): ${busy('many')} with ${procs} processes, ${busy('one')} with 1; error lines logged: `
      + `${table.drains.reduce((t, d) => t + d.many.errorLines, 0)} / ${table.drains.reduce((t, d) => t + d.one.errorLines, 0)}`);
    const c = (k: keyof DrainResult['check']) => table.drains.reduce((t, d) => t + d.many.check[k] + d.one.check[k], 0);
    details.push(`  reaching a job counts: settles not written ${c('settleErrors')}, jobs not completed ${c('notCompleted')}, jobs with more than one attempt ${c('moreThanOneAttempt')}, `
      + `attempt rows not completed or with an error ${c('badAttempts')}, handler runs beyond N ${c('handledBeyondN')} (all runs, both rows)`);
    details.push(`  jobs/s per run: ${table.drains.map((d) => `${int(d.one.jobsPerSec)} / ${int(d.many.jobsPerSec)}`).join('; ')} (1 process / ${procs}); clock from "go" to the last completion, `
      + 'the workers\' start included, each worker warmed up first on a file of its own');
  }
  if (table.idle.length) {
    const pct = median(table.idle.map((r) => r.percentOfCore))!;
    lines.push(`| idle worker, ${idleSeconds} s | ${pct.toFixed(2)}% of one core | – | – | < 1%${verdict(pct < 1)} |`);
    details.push(`  idle worker: \`node --import tsx src/worker/main.ts\` on an empty file, default settings; utime + stime of all its threads from /proc/<pid>/stat (10 ms ticks) over the window, `
      + `${table.idle.map((r) => `${r.cpuMs.toFixed(0)} ms in ${r.seconds.toFixed(1)} s`).join('; ')}; ${median(table.idle.map((r) => r.wakeupsPerSecond))!.toFixed(1)} wake-ups/s `
      + `(voluntary context switches, ${table.idle[0].threads} threads); RSS ${mb(table.idle[0].rssBytes)}`);
  }
  if (table.memory.length) {
    const first = median(table.memory.map((r) => r.samples.find((s) => s.jobs === Math.min(...memoryAt))!.rssBytes))!;
    const last = median(table.memory.map((r) => r.samples[r.samples.length - 1].rssBytes))!;
    const r = median(table.memory.map((x) => x.ratio))!;
    lines.push(`| worker memory: RSS after ${int(Math.max(...memoryAt))} no-op jobs | ${mb(last)} | ${mb(first)} after ${int(Math.min(...memoryAt))} | ${ratio(r)} | <= 1.20${verdict(r <= 1.2)} |`);
    for (const [k, x] of table.memory.entries()) {
      details.push(`  memory run ${k + 1} (RSS / V8 heap used, MB): ${x.samples.map((s) => `${int(s.jobs)}: ${(s.rssBytes / 2 ** 20).toFixed(0)} / ${(s.heapUsedBytes / 2 ** 20).toFixed(0)}`).join(', ')}; `
        + `peak RSS ${mb(x.peakRssBytes)}; ${int(x.jobsPerSec)} jobs/s`);
    }
    details.push(`  worker memory: one drain-child process, concurrency ${values['memory-concurrency']}, every job enqueued before it starts; VmRSS read when its reported completions pass each mark `
      + '(a point sample: the V8 heap grows and is collected between marks, so single samples swing by 10-20 MB; the curve and the peak say more)');
  }
  say(`Scale rows (${runs > 1 ? `medians of ${runs} runs` : '1 run'}; load average ${loadAverage()} now):`);
  if (values.profile) say('(--profile: rows 4 and 5 ran under the CPU profiler, whose sampling thread is in their figures: read the profiles, not those rows)');
  say();
  for (const line of lines) say(line);
  say();
  for (const line of details) say(line);
}

function printProfiles(): void {
  if (!values.profile) return;
  for (const { row, window } of profiled) {
    const [main, ...threads] = profilesIn(path.join(profileRoot, row));
    say();
    say(`CPU profile, ${row}: the worker's main thread, measured window only (node --cpu-prof, 1 ms samples; ${path.relative(projectRoot, path.join(profileRoot, row))}):`);
    if (main) for (const line of topFrames(main, window)) say(line);
    for (const other of threads) say(`  other thread: ${topFrames(other, window, 0)[0]}`);
  }
}

try {
  await measure();
} catch (error) {
  note(`a row failed: ${(error as Error).stack ?? error}`);
  code = 1;
}
print();
printProfiles();
process.exit(code);
