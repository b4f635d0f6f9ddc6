import fs from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';

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

const nextConfig: NextConfig = {
  // `next build` type-checks with a config that covers the app's sources only, so
  // bench/ and test/ files (checked by `npm run typecheck`) never fail a build.
  typescript: { tsconfigPath: 'tsconfig.next.json' },
  turbopack: { root: turbopackRoot(import.meta.dirname) },
};

export default nextConfig;
