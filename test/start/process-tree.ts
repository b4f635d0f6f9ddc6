import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, expect } from 'vitest';
import { root } from '../helpers/processes';

/** The live processes below `pid` (children, grandchildren...), read from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat || stat.state === 'Z') continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** True while `pid` runs (a zombie waiting for its parent to reap it has ended). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** The command line of `pid` as one string ('' once it is gone). */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function readStat(pid: number): { state: string; ppid: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so read after the last ')'.
  const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid) };
}

export interface Tree {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Notes every live descendant now, so the leak check knows them after they are orphaned. */
  record(): number[];
  /** Every process of the tree seen so far, the root included. */
  seen(): number[];
}

const trees = new Set<Tree>();

/**
 * Runs a command from the project root in its own process group (as a
 * terminal runs a foreground job), tracked so a test that leaves any process
 * of its tree running fails after they are killed by their PIDs.
 */
export function spawnTree(command: string, args: string[], env: Record<string, string>): Tree {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  const pids = new Set<number>([child.pid!]);
  const tree: Tree = {
    child,
    output: () => text,
    exited,
    record() {
      const now = descendants(child.pid!);
      for (const pid of now) pids.add(pid);
      return now;
    },
    seen: () => [...pids],
  };
  trees.add(tree);
  return tree;
}

afterEach(async () => {
  const leaked: string[] = [];
  for (const tree of trees) {
    tree.record();
    for (const pid of tree.seen()) {
      if (!isAlive(pid)) continue;
      leaked.push(commandOf(pid));
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  trees.clear();
  expect(leaked, 'processes left running by the test').toEqual([]);
});
