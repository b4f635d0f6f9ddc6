import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { root, waitFor } from '../helpers/processes';

// A copy of the project (what bin/jobs needs: bin/, src/, drizzle/, package.json, tsconfig.json and
// the node_modules of this one) in a temp folder, so that changing its job files disturbs no other
// test, and its .build/ is its own.
const project = makeTempDir('fluent-jobs-cli-compiled-');
for (const part of ['bin', 'src', 'drizzle', 'package.json', 'tsconfig.json']) {
  fs.cpSync(path.join(root, part), path.join(project, part), { recursive: true });
}
fs.symlinkSync(fs.realpathSync(path.join(root, 'node_modules')), path.join(project, 'node_modules'));
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', JOBS_CLI_VERBOSE: '1', DATABASE_URL: `file:${path.join(project, 'data/jobs.db')}` };
delete env.JOBS_CLI_TSX;

/** Runs the copy's bin/jobs to the end; `ran` is the launcher's line saying which code ran. */
function cli(...args: string[]) {
  const result = spawnSync(path.join(project, 'bin/jobs'), args, { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
  const [ran = '', ...rest] = result.stderr.split('\n');
  return { code: result.status, stdout: result.stdout, stderr: rest.join('\n').trim(), ran };
}

let lastWriteAtMs = Date.now();
const write = (file: string, text: string) => {
  fs.writeFileSync(path.join(project, file), text);
  lastWriteAtMs = Date.now();
};

/**
 * Files changed moments before a build are not trusted by it (a second write in the same clock
 * tick would leave their stamps alike): once they are older than that, a run rebuilds at most once
 * more, and from then on the build is reused.
 */
async function settle(): Promise<void> {
  await waitFor(() => Date.now() - lastWriteAtMs > 2_500, 'the changed files to be 2.5 s old', 10_000, 100);
  cli('types');
  expect(cli('types').ran).toMatch(/^bin\/jobs: running \.build\/cli-[0-9a-f]{12} \(up to date\)$/);
}

/** A job class as a product team would write one, with a param schema the CLI checks. */
const greetJob = (key: string) => `import { z } from 'zod';
import { Job } from '@/lib/jobs';

const greetParams = z.object({ ${key}: z.string() }).strict();

export class GreetJob extends Job<z.infer<typeof greetParams>, string> {
  static jobName = 'greet';
  static params = greetParams;

  protected async perform(params: z.infer<typeof greetParams>): Promise<string> {
    return \`hello \${Object.values(params)[0]}\`;
  }
}
`;

describe('the compiled CLI', () => {
  it('is built on first use, then reused while nothing it was built from changes', async () => {
    const first = cli('types', '--json');
    expect(first.code).toBe(0);
    expect(first.ran).toMatch(/^bin\/jobs: running \.build\/cli-[0-9a-f]{12} \(built in \d+ ms: there is no build yet\)$/);
    expect(JSON.parse(first.stdout).map((t: { name: string }) => t.name)).toEqual(['cleanup', 'database-backup', 'demo', 'http-request', 'report', 'send-email']);
    await settle();
    const again = cli('types', '--json');
    expect(again.ran).toMatch(/^bin\/jobs: running \.build\/cli-[0-9a-f]{12} \(up to date\)$/);
    expect(again.stdout).toBe(first.stdout);
  });

  it('runs a new job class and a changed param schema at once: never the code it was built from before', async () => {
    write('src/jobs/greet.ts', greetJob('name'));
    write('src/jobs/index.ts', fs.readFileSync(path.join(project, 'src/jobs/index.ts'), 'utf8')
      .replace("import { DemoJob } from './demo';", "import { DemoJob } from './demo';\nimport { GreetJob } from './greet';")
      .replace('export const jobClasses = [', 'export const jobClasses = [GreetJob, '));
    const added = cli('types', '--json');
    expect(added.ran).toMatch(/\(built in \d+ ms: src\/jobs\/index\.ts changed\)$/);
    expect(JSON.parse(added.stdout).map((t: { name: string }) => t.name)).toEqual(['cleanup', 'database-backup', 'demo', 'greet', 'http-request', 'report', 'send-email']);
    expect(cli('enqueue', 'greet', '--param', 'name=ada')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^enqueued greet /) });

    // Only the job's own file changes (same length, so only its times tell): enqueue checks the new schema.
    await settle();
    write('src/jobs/greet.ts', greetJob('nick'));
    const refused = cli('enqueue', 'greet', '--param', 'name=ada');
    expect(refused.ran).toMatch(/\(built in \d+ ms: src\/jobs\/greet\.ts changed\)$/);
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: 2, stderr: 'error: Invalid params for greet: params.nick: Invalid input: expected string, received undefined; params: Unrecognized key: "name"' });
    expect(cli('enqueue', 'greet', '--param', 'nick=ada')).toMatchObject({ code: 0, stderr: '' });
    expect(cli('greet', '--param', 'nick=ada', '--json').stdout).toContain('"data": "hello ada"');
  });

  it('rebuilds when a file an import could now resolve to appears, not for a file no import can name', async () => {
    await settle();
    write('src/jobs/README.md', 'notes, not code\n');
    expect(cli('types').ran).toMatch(/\(up to date\)$/);
    // A new module in a folder the build read from may change what an import there resolves to: it counts.
    write('src/jobs/draft.ts', 'export const draft = 1;\n');
    expect(cli('types').ran).toMatch(/\(built in \d+ ms: the files in src\/jobs\/ changed\)$/);
  });

  it('stores the stack of a job its worker ran with the source files in it, as the failures page groups them', async () => {
    const { id } = JSON.parse(cli('enqueue', 'demo', '--param', 'steps=1', '--param', 'failTimes=1', '--max-attempts', '1', '--json').stdout);
    expect(cli('worker', '--drain')).toMatchObject({ code: 0, ran: expect.stringMatching(/^bin\/jobs: running \.build\/cli-/) });
    const [attempt] = JSON.parse(cli('status', id, '--json').stdout).attemptHistory;
    expect(attempt.stack).toContain(`at DemoJob.perform (${path.join(project, 'src/jobs/demo.ts')}:`);
  });

  it('runs the sources with tsx when told to, with the same answers', async () => {
    const viaTsx = spawnSync(path.join(project, 'bin/jobs'), ['types', '--json'], { cwd: project, env: { ...env, JOBS_CLI_TSX: '1' }, encoding: 'utf8', timeout: 60_000 });
    expect(viaTsx.stderr).toBe('bin/jobs: running src/cli/main.ts with tsx: JOBS_CLI_TSX is set\n');
    expect(viaTsx.stdout).toBe(cli('types', '--json').stdout);
  });
});
