// @ts-check
// Compiles the Docker image's entry point (src/image/main.ts: the supervisor, the worker, the cron
// poller and the CLI, one role each) into plain JavaScript with esbuild, so that no container
// compiles TypeScript at start and the image needs neither tsx nor the sources:
//   node src/image/bundle.mjs        (npm run build:image; the Dockerfile runs it)
// Writes .build/image/: main.mjs, one chunk per role (a worker loads no web or CLI code), their
// source maps (stacks stored with failed jobs name src/ files), and exit-with-parent.mjs, which
// the supervisor preloads into its children (src/start/processes.ts looks for it beside itself).
// Two levels below the root, as src/<dir>/<file>.ts are, so that paths found from
// import.meta.url (projectRoot in src/db/migrate.ts: drizzle/, package.json) mean the same.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = path.join(root, '.build', 'image');

/**
 * Loaded from node_modules at run time: the native drivers find their compiled module in their
 * own folder, and the web role's Next.js is the standalone server's. Next.js's standalone build
 * traces these into its node_modules, which is the image's (see the Dockerfile).
 */
export const external = ['better-sqlite3', '@libsql/client', 'libsql', 'next', 'next/*'];

/** Builds .build/image/ from scratch; rejects with esbuild's first message when the code does not compile. */
export async function buildImageBundle() {
  const startedAtMs = Date.now();
  const esbuild = await import('esbuild');
  fs.rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'src/image/main.ts' },
    tsconfig: path.join(root, 'tsconfig.json'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    outdir,
    sourcemap: 'linked',
    sourcesContent: false,
    external,
    // Bundled CommonJS packages (cli-table3, nodemailer) call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'silent',
    legalComments: 'none',
  }).catch((/** @type {Error & { errors?: { text: string, location?: { file: string, line: number } }[] }} */ error) => {
    const first = error.errors?.[0];
    throw new Error(first ? `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}` : error.message);
  });
  fs.copyFileSync(path.join(root, 'src/start/exit-with-parent.mjs'), path.join(outdir, 'exit-with-parent.mjs'));
  return { outdir, ms: Date.now() - startedAtMs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const built = await buildImageBundle();
    console.log(`image entry point built into ${path.relative(root, built.outdir)}/ in ${built.ms} ms`);
  } catch (error) {
    console.error(`image build failed: ${/** @type {Error} */ (error).message}`);
    process.exitCode = 1;
  }
}
