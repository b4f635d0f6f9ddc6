// @ts-check
// What a compiled CLI was built from (.build/cli.json), and whether any of it changed since. Plain
// JavaScript that loads nothing but fs and path: it runs before anything is compiled, on every
// bin/jobs start (src/cli/bundle/launch.mjs).
import fs from 'node:fs';
import path from 'node:path';

/** The stamp of an input that changed while its build ran: matches no file, so the next start rebuilds. */
export const changedDuringBuild = 'changed during the build';

/**
 * How old (by its change time) an input must be when a build starts for its stamp to be trusted.
 * A write in the same clock tick as the one before it leaves both stamps alike (a tick is a few
 * ms on ext4, 1-2 s on FAT or HFS+), so an input that changed this close to the build may hold
 * other bytes than the ones compiled: it is recorded as changed, as git does with "racily clean" files.
 */
export const racyWindowMs = 2_000;

/**
 * A file's size, modification time and change time (ns), or 'missing'. The change time
 * (ctime) is set by the kernel on every write and cannot be set back by `touch` or `cp -p`.
 * @param {string} file
 * @returns {string}
 */
export function fileStamp(file) {
  try {
    const s = fs.statSync(file, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return 'missing';
  }
}

/** Entries an import can resolve to: sub-folders and script or JSON files, not an editor's swap file or a hidden name. */
const resolvable = /^[^.].*\.(?:[cm]?[jt]sx?|json|node)$/;

/**
 * The sorted names in a folder that an import could resolve to, or 'missing'. A new
 * `src/lib/jobs.ts` changes nothing the build read, yet `@/lib/jobs` would now resolve to it
 * before `src/lib/jobs/index.ts`: folders are inputs too.
 * @param {string} dir
 * @returns {string}
 */
export function folderStamp(dir) {
  try {
    return fs.readdirSync(dir, { withFileTypes: true })
      .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) ? !entry.name.startsWith('.') : resolvable.test(entry.name))
      .map((entry) => entry.name)
      .sort()
      .join('/');
  } catch {
    return 'missing';
  }
}

/**
 * @typedef {object} Manifest what .build/cli.json holds
 * @property {string} build the build's folder under .build/, holding main.mjs and its chunks
 * @property {Record<string, string>} files path from the project root -> fileStamp
 * @property {Record<string, string>} folders path from the project root -> folderStamp
 */

/**
 * An input of a build that is not as it was when the build ran, or null when none changed:
 * then the build holds exactly the code in src/ and node_modules today. A change made since
 * is named before one the build itself could not trust.
 * @param {string} root the project root
 * @param {Manifest} manifest
 * @returns {string | null} e.g. 'src/jobs/demo.ts changed'
 */
export function changedInput(root, manifest) {
  let untrusted = null;
  for (const [file, stamp] of Object.entries(manifest.files)) {
    if (stamp === changedDuringBuild) untrusted ??= `${file} changed just before or while the last build ran`;
    else if (fileStamp(path.resolve(root, file)) !== stamp) return `${file} changed`;
  }
  for (const [dir, stamp] of Object.entries(manifest.folders)) {
    if (stamp === changedDuringBuild) untrusted ??= `the files in ${dir}/ changed just before or while the last build ran`;
    else if (folderStamp(path.resolve(root, dir)) !== stamp) return `the files in ${dir}/ changed`;
  }
  return untrusted;
}

/**
 * @param {string} root
 * @returns {Manifest | null} what .build/cli.json says, or null when there is no build (or it is unreadable)
 */
export function readManifest(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, '.build', 'cli.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Why the CLI must be built before it runs, or null when the last build is current.
 * @param {string} root
 * @param {Manifest | null} [manifest]
 * @returns {string | null}
 */
export function buildNeededBecause(root, manifest = readManifest(root)) {
  if (!manifest) return 'there is no build yet';
  if (!fs.existsSync(path.join(root, '.build', manifest.build, 'main.mjs'))) return `${manifest.build} is gone`;
  return changedInput(root, manifest);
}

/**
 * The inputs to watch for a build that read these files (esbuild's metafile inputs, relative to
 * the root): each project file with every folder above it below the root, and for a file of a
 * package in node_modules that package's package.json (npm rewrites a package's folder when it
 * installs another version). Stamps are taken now, after the build; one that is not older than
 * the build's start by racyWindowMs is recorded as changed.
 * @param {string} root the project root
 * @param {string[]} inputs the files the build read
 * @param {string[]} alsoFiles files that steer the build without being read as code (tsconfig.json)
 * @param {number} buildStartedAtMs
 * @returns {Pick<Manifest, 'files' | 'folders'>}
 */
export function stampInputs(root, inputs, alsoFiles, buildStartedAtMs) {
  const files = new Set(alsoFiles.map((f) => path.resolve(root, f)));
  const folders = new Set();
  for (const input of inputs) {
    const file = path.resolve(root, input);
    const packageJson = packageJsonOf(file);
    if (packageJson) {
      files.add(packageJson);
      continue;
    }
    files.add(file);
    // The root's own folder only for a file right in it: its other names (data/, test-results/) come and go.
    folders.add(path.dirname(file));
    for (let dir = path.dirname(file); isBelow(root, dir); dir = path.dirname(dir)) folders.add(dir);
  }
  const trusted = (/** @type {string} */ target) => {
    try {
      return Number(fs.statSync(target).ctimeMs) < buildStartedAtMs - racyWindowMs;
    } catch {
      return true; // missing: its stamp says so
    }
  };
  const relative = (/** @type {string} */ target) => path.relative(root, target);
  return {
    files: Object.fromEntries([...files].sort().map((f) => [relative(f), trusted(f) ? fileStamp(f) : changedDuringBuild])),
    folders: Object.fromEntries([...folders].sort().map((d) => [relative(d), trusted(d) ? folderStamp(d) : changedDuringBuild])),
  };
}

/**
 * The package.json of the package a file in node_modules belongs to, or null for a project file.
 * @param {string} file an absolute path
 * @returns {string | null}
 * @example packageJsonOf('/app/node_modules/@scope/pkg/dist/x.js') // '/app/node_modules/@scope/pkg/package.json'
 */
export function packageJsonOf(file) {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length - 1) return null;
  const nameParts = parts[at + 1].startsWith('@') ? 2 : 1;
  return [...parts.slice(0, at + 1 + nameParts), 'package.json'].join(path.sep);
}

/**
 * @param {string} root
 * @param {string} dir
 */
function isBelow(root, dir) {
  const rel = path.relative(root, dir);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
