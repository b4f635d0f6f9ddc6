import { describe, expect, it } from 'vitest';
import { roleInCommandLine } from '@/image/health';
import { isRole, supervisedFlag, unknownRole } from '@/image/roles';
import { appProcesses, imageEntry } from '@/start/processes';

describe("the image's roles", () => {
  it("reads a container's role from its PID 1's command line, 'all' when it names none", () => {
    const entry = ['/usr/bin/tini', '--', 'node', '/app/.build/image/main.mjs'];
    expect(roleInCommandLine([...entry, 'worker'])).toBe('worker');
    expect(roleInCommandLine([...entry, 'jobs', 'list'])).toBe('jobs');
    expect(roleInCommandLine(entry)).toBe('all');
    expect(roleInCommandLine(['/sbin/docker-init', '--', ...entry, 'cron'])).toBe('cron'); // docker run --init
    expect(roleInCommandLine(['node', 'server.js'])).toBeNull(); // another command: the health check asks the web app
  });

  it('says which roles there are when given a word that is none', () => {
    expect(isRole('worker')).toBe(true);
    expect(isRole('constructor')).toBe(false);
    expect(unknownRole('wroker')).toMatch(/^Unknown role "wroker"\. The image runs one of:\n {2}all /);
  });

  it('makes the supervisor start the same roles when it runs from the image, the web role told not to print a sign-in link', () => {
    expect(imageEntry).toBeUndefined(); // from src/ through tsx (here, vitest)
    const specs = appProcesses({ root: '/app', dev: false, port: 3000, imageEntry: '/app/.build/image/main.mjs' });
    expect(specs.map((spec) => [spec.name, spec.args.slice(2)])).toEqual([
      ['web', ['/app/.build/image/main.mjs', 'web', supervisedFlag]],
      ['worker', ['/app/.build/image/main.mjs', 'worker']],
      ['cron', ['/app/.build/image/main.mjs', 'cron']],
    ]);
    expect(specs[0].env).toEqual({ PORT: '3000', HOSTNAME: undefined });
  });
});
