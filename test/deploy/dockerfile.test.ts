// The Dockerfile, .dockerignore and compose files, read as text: no Docker engine runs here and
// hadolint cannot be installed, so dockerfile-utils (the VS Code Docker linter's engine) lints it,
// and the hadolint rules that matter are checked below, each by name. The image's commands are
// run for real in image-layout.test.ts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { execForm, lastOf, parseCopy, readDockerfile, type Instruction } from '../helpers/dockerfile';
import { root } from '../helpers/processes';
import { roles } from '@/image/roles';

const stages = readDockerfile(root);
const final = stages[stages.length - 1];
const all = stages.flatMap((stage) => stage.instructions);
const runs = (instructions: Instruction[]) => instructions.filter((i) => i.keyword === 'RUN');
/** What `dockerfile-utils lint` prints (nothing for a clean file) and its exit code. */
const lint = (file: string) => {
  const run = spawnSync(path.join(root, 'node_modules/.bin/dockerfile-utils'), ['lint', file], { encoding: 'utf8' });
  return { printed: run.stdout + run.stderr, code: run.status };
};

describe('the Dockerfile', () => {
  it('lints clean with dockerfile-utils', () => {
    expect(lint(path.join(root, 'Dockerfile'))).toEqual({ printed: '', code: 0 });
  });

  it('is linted for real: dockerfile-utils reports a broken Dockerfile', () => {
    const dir = makeTempDir();
    try {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node:24.11.1-bookworm-slim\nEXPOSE port\nHEALTHCHECK --interval=1 CMD\n');
      const { printed, code } = lint(path.join(dir, 'Dockerfile'));
      expect(printed).toMatch(/Invalid containerPort: port/);
      expect(code).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds in two stages, the final one from the same pinned base (DL3006, DL3007)', () => {
    expect(stages.length).toBe(2);
    for (const stage of stages) {
      // A version tag (node:24.11.1-...), optionally with a digest; never a bare name or `latest`.
      expect(stage.image).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?$/);
      expect(stage.image).not.toMatch(/:latest\b/);
    }
    expect(final.image).toBe(stages[0].image);
  });

  it('installs apt packages without recommends and leaves no apt lists behind (DL3015, DL3009)', () => {
    const installs = runs(all).filter((run) => /apt-get\s+install/.test(run.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) {
      expect(run.args, `line ${run.line}`).toMatch(/apt-get\s+update/);
      expect(run.args, `line ${run.line}`).toMatch(/apt-get\s+install\s+-y\s+--no-install-recommends\s/);
      // In the same RUN, after the install: a later RUN cannot take the lists out of the layer.
      expect(run.args.indexOf('rm -rf /var/lib/apt/lists/*'), `line ${run.line}`).toBeGreaterThan(run.args.search(/apt-get\s+install/));
    }
  });

  it('gives every file copied into the final stage an owner (COPY --chown), and copies only built output into it', () => {
    const copies = final.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const { flags, sources } = parseCopy(copy.args);
      expect(copy.keyword, `line ${copy.line}`).toBe('COPY');
      expect(flags.chown, `line ${copy.line}`).toMatch(/^\w+(:\w+)?$/);
      expect(flags.from, `line ${copy.line}`).toBe(stages[0].name);
      // No devDependencies (the whole node_modules), no .next/cache (all of .next), no sources.
      for (const source of sources) expect(source, `line ${copy.line}`).not.toMatch(/(^|\/)(node_modules|src|\.next|\.next\/cache)\/?$/);
    }
  });

  it('has no compilers, no package install and no apt cache in the final stage', () => {
    for (const run of runs(final.instructions)) {
      expect(run.args, `line ${run.line}`).not.toMatch(/\b(g\+\+|gcc|make|python3|build-essential)\b/);
      expect(run.args, `line ${run.line}`).not.toMatch(/\bnpm\s+(ci|install|i)\b/);
    }
  });

  it('runs as a user that is not root (DL3002), and never uses sudo (DL3004) or ADD of a URL (DL3020)', () => {
    const user = lastOf(final, 'USER');
    expect(user?.args).toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    const userAt = final.instructions.indexOf(user!);
    for (const keyword of ['CMD', 'ENTRYPOINT']) expect(final.instructions.indexOf(lastOf(final, keyword)!)).toBeGreaterThan(userAt);
    expect(all.filter((i) => /\bsudo\b/.test(i.args))).toEqual([]);
    expect(all.filter((i) => i.keyword === 'ADD' && /https?:\/\//.test(i.args))).toEqual([]);
  });

  it('starts in exec form under tini, the role as its command (DL3025), with a healthcheck in exec form', () => {
    const entrypoint = execForm(lastOf(final, 'ENTRYPOINT')!.args);
    const cmd = execForm(lastOf(final, 'CMD')!.args);
    expect(entrypoint).toEqual(['/usr/bin/tini', '--', 'node', '/app/.build/image/main.mjs']);
    expect(cmd).toEqual(['all']);
    const healthcheck = lastOf(final, 'HEALTHCHECK')!.args;
    const [, command] = /\bCMD\s+(.*)$/.exec(healthcheck) ?? [];
    expect(execForm(command)).toEqual(['node', '/app/.build/image/main.mjs', 'health']);
  });

  it('keeps the data folder in a volume, made and owned by the app user before it is declared', () => {
    const volume = lastOf(final, 'VOLUME')!;
    expect(volume.args).toBe('/app/data');
    const made = runs(final.instructions).find((run) => run.args.includes('mkdir -p /app/data'));
    expect(made?.args).toMatch(/chown node:node \/app\/data/);
    expect(final.instructions.indexOf(made!)).toBeLessThan(final.instructions.indexOf(volume));
  });
});

describe('the .dockerignore', () => {
  const ignored = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));

  it('keeps secrets, installs, builds, local data, tests, benches, screenshots and git out of the build', () => {
    for (const entry of ['.env*', '**/.env*', 'node_modules', '.next', '.build', 'data', 'test', 'bench', 'docs', '.git']) {
      expect(ignored).toContain(entry);
    }
    expect(ignored.filter((line) => line.startsWith('!'))).toEqual([]); // nothing let back in
  });
});

describe('the compose files', () => {
  const read = (file: string) => fs.readFileSync(path.join(root, 'deploy', file), 'utf8');
  // No YAML parser is installed: these read the few lines that matter (the files were checked with PyYAML by hand).
  const commands = (text: string) => [...text.matchAll(/^\s+command: (\[.*\])$/gm)].map(([, json]) => JSON.parse(json) as string[]);

  it('run the app, two workers and cron from the image, each as one of its roles', () => {
    for (const file of ['compose.yaml', 'compose.turso.yaml']) {
      const text = read(file);
      expect(commands(text), file).toEqual([['web'], ['worker'], ['cron']]);
      for (const [role] of commands(text)) expect(Object.keys(roles), file).toContain(role);
      expect(text, file).toMatch(/^ {2}worker:\n(?: {4}.*\n)*? {4}deploy:\n {6}replicas: 2$/m);
      expect(text, file).toMatch(/stop_grace_period: 30s/);
      expect(text, file).toMatch(/^ {2}build: \.\.$/m);
    }
  });

  it('share one named volume on one machine, and a Turso URL with its token from the environment on many', () => {
    const local = read('compose.yaml');
    expect(local).toMatch(/^ {4}- data:\/app\/data$/m);
    expect(local).toMatch(/^volumes:\n {2}data:$/m);
    expect(local).toMatch(/DATABASE_URL: file:\/app\/data\/jobs\.db/);
    const turso = read('compose.turso.yaml');
    expect(turso).not.toMatch(/volumes:/);
    expect(turso).toMatch(/DATABASE_URL: \$\{DATABASE_URL:\?/);
    expect(turso).toMatch(/DATABASE_AUTH_TOKEN: \$\{DATABASE_AUTH_TOKEN:\?/);
    expect(turso).toMatch(/JOBS_ADMIN_TOKEN: \$\{JOBS_ADMIN_TOKEN:\?/);
  });
});
