// How long `bin/jobs` takes from start to exit: `--help`, `list` and `status <id>`, each run
// `--runs` times (default 10) against a temp database with some jobs, through tsx (the sources, as
// bin/jobs ran them before it was compiled) and compiled (bin/jobs as it is). Prints the median and
// p90 in ms of each, with the machine and its load (on 2 cores, other work shows in every figure).
//
//   npm run bench:cli [-- --runs 10] [--jobs 500] [--before DIR]
//
// --before adds the same runs through tsx in another checkout (`git archive <commit> | tar -x -C
// DIR`, with node_modules linked), to compare with code from before this bench existed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from './harness';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    jobs: { type: 'string', default: '500' },
    before: { type: 'string' },
  },
});
const runs = Number(values.runs);
const beforeRoot = values.before === undefined ? undefined : path.resolve(values.before);
const say = (line: string) => process.stdout.write(`${line}\n`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-jobs-cli-bench-'));
const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `file:${path.join(dir, 'jobs.db')}`, NO_COLOR: '1' };
delete env.JOBS_CLI_TSX;
delete env.JOBS_CLI_VERBOSE;

type Variant = { name: string; command: (args: string[]) => [string, string[], string] };
// What bin/jobs ran before it was compiled: one node process compiling the TypeScript on every start.
const throughTsx = (name: string, root: string): Variant => ({
  name,
  command: (args) => [process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], root],
});
const compiled: Variant = { name: 'compiled', command: (args) => [path.join(projectRoot, 'bin/jobs'), args, projectRoot] };
const variants = [...(beforeRoot ? [throughTsx('before', beforeRoot)] : []), throughTsx('tsx', projectRoot), compiled];

/** Runs one command to its end and returns its start-to-exit time in ms; a failed run stops the bench. */
function timeRun(variant: Variant, args: string[]): number {
  const [file, argv, cwd] = variant.command(args);
  const started = process.hrtime.bigint();
  const result = spawnSync(file, argv, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${variant.name} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Nearest rank: of 10 runs, the 9th fastest. */
const p90 = (xs: number[]) => sorted(xs)[Math.ceil(0.9 * xs.length) - 1];

try {
  const built = spawnSync(process.execPath, [path.join(projectRoot, 'src/cli/bundle/build.mjs'), '--if-stale'], { cwd: projectRoot, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(built.stderr);
  // Some jobs, one of them run to its end by a worker (attempts, progress history) for status to show.
  const cli = (...args: string[]) => {
    const result = spawnSync(path.join(projectRoot, 'bin/jobs'), args, { cwd: projectRoot, env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`bin/jobs ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  };
  const statusId = (JSON.parse(cli('enqueue', 'demo', '--param', 'steps=3', '--param', 'delayMs=1', '--json')) as { id: string }).id;
  cli('worker', '--drain');
  const seed = `import { DemoJob } from './src/jobs/index.ts'; await DemoJob.laterMany(Array.from({ length: ${Number(values.jobs)} }, (_, i) => ({ steps: i % 7 })));`;
  const seeded = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', seed], { cwd: projectRoot, env, encoding: 'utf8' });
  if (seeded.status !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);

  const commands = [['--help'], ['list'], ['status', statusId]];
  const times = new Map<string, number[]>();
  for (const variant of variants) for (const args of commands) timeRun(variant, args); // warm the file cache
  const loadBefore = os.loadavg()[0];
  // Interleaved, so that a burst of other work on the machine falls on both variants alike.
  for (let run = 0; run < runs; run++) {
    for (const args of commands) {
      for (const variant of variants) {
        const key = `${variant.name} ${args[0]}`;
        times.set(key, [...(times.get(key) ?? []), timeRun(variant, args)]);
      }
    }
  }

  const cpu = os.cpus();
  say(`bin/jobs start to exit, ${runs} runs each, ${values.jobs} jobs in the database; ${cpu.length} x ${cpu[0]?.model.trim()}, node ${process.version}, load average ${loadBefore.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}`);
  if (beforeRoot) say(`before: the code in ${beforeRoot} through tsx`);
  say(`| command | ${variants.map((v) => `${v.name} median | ${v.name} p90`).join(' | ')} | compiled / tsx |`);
  say(`|---|${variants.map(() => '---|---|').join('')}---|`);
  const ms = (x: number) => `${Math.round(x)} ms`;
  for (const args of commands) {
    const of = (variant: Variant) => times.get(`${variant.name} ${args[0]}`)!;
    const cells = variants.map((v) => `${ms(median(of(v)))} | ${ms(p90(of(v)))}`);
    const ratio = median(of(compiled)) / median(times.get(`tsx ${args[0]}`)!);
    say(`| \`bin/jobs ${args[0] === 'status' ? 'status <id>' : args[0]}\` | ${cells.join(' | ')} | ${ratio.toFixed(2)} |`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
