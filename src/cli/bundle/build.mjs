// @ts-check
// Compiles the CLI (src/cli/main.ts and all it imports, job classes included) into plain
// JavaScript with esbuild, so that bin/jobs starts without compiling TypeScript (tsx):
//   node src/cli/bundle/build.mjs              build now (npm run build:cli; npm install runs it)
//   node src/cli/bundle/build.mjs --if-stale   only when an input changed since the last build
// Each build goes to its own folder .build/cli-<hash of its output>/ (main.mjs and one chunk per
// command, loaded when that command runs), written whole under a temporary name and renamed into
// place; .build/cli.json then names it with the stamps of its inputs (see stamps.mjs). A process
// that is starting keeps the folder it chose, so builds never overwrite each other's files.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNeededBecause, readManifest, stampInputs } from './stamps.mjs';

/** The project root: this file is src/cli/bundle/build.mjs. */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Native drivers load their compiled module from their own folder: never bundled. Next is not
 * the CLI's, and stays out should an import ever reach it.
 */
const external = ['better-sqlite3', '@libsql/client', 'libsql', 'next', 'next/*'];

/** Files that steer the build without being compiled: path aliases, "type": "module", these options, the bundler's version. */
const steeringFiles = ['tsconfig.json', 'package.json', fileURLToPath(import.meta.url), createRequire(import.meta.url).resolve('esbuild/package.json')];

/** A build folder replaced longer ago than this is deleted by the next build; a process started from it may still load a command's chunk until then. */
const keepReplacedBuildsMs = 24 * 60 * 60 * 1000;

/**
 * @typedef {import('./stamps.mjs').Manifest} Manifest
 * @typedef {{ build: string, entry: string, ms: number }} Built
 */

/**
 * Builds the CLI into its own folder under .build/ and makes it the current build.
 * Rejects with esbuild's message when the code does not compile.
 * @param {string} root
 * @returns {Promise<Built>}
 */
export async function buildCli(root) {
  const startedAtMs = Date.now();
  const esbuild = await import('esbuild');
  const buildDir = path.join(root, '.build');
  fs.mkdirSync(buildDir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'src/cli/main.ts' },
    tsconfig: path.join(root, 'tsconfig.json'),
    bundle: true,
    splitting: true, // one chunk per command: `bin/jobs --help` loads none of them
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    // Where the files would go: two levels below the root, as src/<dir>/<file>.ts are, so that
    // paths found from import.meta.url (projectRoot in src/db/migrate.ts, ../../package.json in
    // src/cli/main.ts) mean the same in the build. The files are written below, not by esbuild.
    outdir: path.join(buildDir, 'cli'),
    write: false,
    metafile: true,
    // Read only where stacks matter (see stacksNameTheSources in src/cli/main.ts); they point at the files in src/.
    sourcemap: 'linked',
    sourcesContent: false,
    external,
    // Bundled CommonJS packages (cli-table3) call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'silent',
    legalComments: 'none',
  }).catch((/** @type {Error & { errors?: { text: string, location?: { file: string, line: number } }[] }} */ error) => {
    const first = error.errors?.[0];
    throw new Error(first ? `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}` : error.message);
  });

  const hash = crypto.createHash('sha256');
  for (const file of result.outputFiles) hash.update(path.basename(file.path)).update(file.contents);
  const build = `cli-${hash.digest('hex').slice(0, 12)}`;
  const target = path.join(buildDir, build);
  if (fs.existsSync(path.join(target, 'main.mjs'))) {
    touch(target); // the same code as a build made before: chosen again, so not one to prune
  } else {
    const temporary = fs.mkdtempSync(path.join(buildDir, 'tmp-'));
    fs.chmodSync(temporary, 0o755); // mkdtemp's 0700 would hide the build from other users of the checkout
    for (const file of result.outputFiles) fs.writeFileSync(path.join(temporary, path.basename(file.path)), file.contents);
    try {
      fs.renameSync(temporary, target);
    } catch (error) {
      fs.rmSync(temporary, { recursive: true, force: true });
      // Another process built the same output at the same time: its folder is ours.
      if (!fs.existsSync(path.join(target, 'main.mjs'))) throw error;
    }
  }

  const previous = readManifest(root);
  /** @type {Manifest} */
  const manifest = { build, ...stampInputs(root, Object.keys(result.metafile.inputs), steeringFiles, startedAtMs) };
  const manifestTemporary = path.join(buildDir, `cli.json.${process.pid}.${crypto.randomUUID()}`);
  fs.writeFileSync(manifestTemporary, `${JSON.stringify(manifest, null, 1)}\n`);
  fs.renameSync(manifestTemporary, path.join(buildDir, 'cli.json'));
  pruneOldBuilds(buildDir, build, previous?.build);
  return { build, entry: path.join(target, 'main.mjs'), ms: Date.now() - startedAtMs };
}

/**
 * Deletes build folders replaced more than a day ago, and what builds that died left behind.
 * @param {string} buildDir
 * @param {string} current
 * @param {string | undefined} replaced the build that was current until now: its folder's time records when it was replaced
 */
function pruneOldBuilds(buildDir, current, replaced) {
  const now = Date.now();
  if (replaced && replaced !== current) touch(path.join(buildDir, replaced));
  for (const name of fs.readdirSync(buildDir)) {
    if (name === current || name === replaced || !/^(cli-|tmp-|cli\.json\.)/.test(name)) continue;
    const file = path.join(buildDir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > keepReplacedBuildsMs) fs.rmSync(file, { recursive: true, force: true });
    } catch {
      // deleted by another build meanwhile
    }
  }
}

/** @param {string} dir */
function touch(dir) {
  try {
    const now = new Date();
    fs.utimesSync(dir, now, now);
  } catch {
    // gone: nothing to keep
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = projectRoot;
  const reason = process.argv.includes('--if-stale') ? buildNeededBecause(root) : 'asked to';
  if (reason === null) {
    console.log(`CLI build ${readManifest(root)?.build} is up to date`);
  } else {
    try {
      const built = await buildCli(root);
      console.log(`CLI built into .build/${built.build} in ${built.ms} ms (${reason})`);
    } catch (error) {
      console.error(`CLI build failed: ${/** @type {Error} */ (error).message}`);
      process.exitCode = 1;
    }
  }
}
