// @ts-check
// What bin/jobs runs: the compiled CLI when it is current, built first when it is not, and the
// TypeScript sources through tsx when it cannot be built. All in this one process, so that signals
// and exit codes are the CLI's own. The rule: the compiled CLI runs only if every file it was built
// from (and every folder above them, and the package.json of each package it bundles) is as it was
// when it was built (see stamps.mjs); otherwise it is rebuilt first, or, failing that, not used.
//   JOBS_CLI_TSX=1      always run the sources with tsx
//   JOBS_CLI_VERBOSE=1  say on stderr which code runs, and why
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildNeededBecause, readManifest } from './stamps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const verbose = Boolean(process.env.JOBS_CLI_VERBOSE);
const say = (/** @type {string} */ line) => verbose && process.stderr.write(`bin/jobs: ${line}\n`);

/**
 * The compiled CLI's main.mjs when it holds today's code (building it first if need be), or
 * why the sources must run instead.
 * @returns {Promise<{ entry: string } | { reason: string }>}
 */
async function compiledEntry() {
  if (process.env.JOBS_CLI_TSX) return { reason: 'JOBS_CLI_TSX is set' };
  const manifest = readManifest(root);
  const why = buildNeededBecause(root, manifest);
  if (manifest && why === null) {
    say(`running .build/${manifest.build} (up to date)`);
    return { entry: path.join(root, '.build', manifest.build, 'main.mjs') };
  }
  try {
    const { buildCli } = await import('./build.mjs'); // with esbuild: only when there is something to build
    const built = await buildCli(root);
    say(`running .build/${built.build} (built in ${built.ms} ms: ${why})`);
    return { entry: built.entry };
  } catch (error) {
    return { reason: `the CLI could not be built (${why}): ${/** @type {Error} */ (error).message}` };
  }
}

const compiled = await compiledEntry();
let entry;
if ('entry' in compiled) {
  entry = pathToFileURL(compiled.entry).href;
} else {
  say(`running src/cli/main.ts with tsx: ${compiled.reason}`);
  // @ts-ignore -- tsx's loader entry point has no type declarations
  await import('tsx'); // registers its loader, as `node --import tsx` does
  entry = pathToFileURL(path.join(root, 'src/cli/main.ts')).href;
}
/** @type {{ runCli(argv: string[]): Promise<number> }} */
const cli = await import(entry);
process.exitCode = await cli.runCli(process.argv.slice(2));
