import fs from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';

/**
 * The folder Turbopack may compile files from: the project, or, when node_modules is
 * a symlink to another checkout's (a git worktree sharing one install), the closest
 * folder holding both. Turbopack refuses files outside its root ("Could not find the
 * Next.js package"); for an ordinary checkout this is the project itself.
 */
function turbopackRoot(project: string): string {
  let modules: string;
  try {
    modules = path.dirname(fs.realpathSync(path.join(project, 'node_modules')));
  } catch {
    return project;
  }
  let root = project;
  while (path.relative(root, modules).startsWith('..') && path.dirname(root) !== root) root = path.dirname(root);
  return root;
}

export default function nextConfig(phase: string): NextConfig {
  return {
    // `next build` type-checks with a config that covers the app's sources only, so
    // bench/ and test/ files (checked by `npm run typecheck`) never fail a build.
    typescript: { tsconfigPath: 'tsconfig.next.json' },
    turbopack: { root: turbopackRoot(import.meta.dirname) },
    // Every build also writes .next/standalone/: the server the Docker image runs
    // (server.js with only the node_modules files it needs), about a second more
    // per build. Only the build sees the setting: `next start` (npm start, the e2e
    // tests) serves the same .next build and would otherwise warn on every start
    // that it "does not work with output: standalone".
    output: phase === PHASE_PRODUCTION_BUILD ? 'standalone' : undefined,
    // The app shows no optimised images (no next/image): the optimiser stays off, so it never
    // loads sharp, which the Dockerfile deletes from the standalone server (about 20 MB).
    images: { unoptimized: true },
  };
}
