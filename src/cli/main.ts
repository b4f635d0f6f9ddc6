import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeError, errorSurface, isJobsError, JobsError } from '../core/errors';
import { closestWord } from './args';
import { commandList, runNowUsage, type CommandEntry } from './command-list';
import { processIo, type CliIo } from './io';

// Only what every invocation needs is imported here: help, --version and a usage error load no
// command, no job class and no database code; a command loads its own (see command-list.ts).
const commands: Record<string, CommandEntry> = commandList;

export function helpText(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return [
    'Fluent Jobs: background jobs on SQLite / Turso',
    '',
    'Commands:',
    ...lines,
    `  ${runNowUsage}\n      run a job here and now, showing its progress`,
    '',
    'Examples:',
    '  bin/jobs demo --param steps=5 --param delayMs=100',
    '  bin/jobs enqueue demo --param steps=20 --priority high --delay 30s',
    '  bin/jobs list --status failed --limit 10',
    '  bin/jobs status 019a885b --watch',
    '  bin/jobs retry --failed --name demo --show',
    '  bin/jobs stats --queue mail --hours 6 --watch',
    '  bin/jobs worker --queue mail,default --concurrency 10',
    '  bin/jobs schedule add --name nightly-report --job demo --cron "0 2 * * *" --tz Europe/Paris',
    '  bin/jobs cleanup --completed-older-than 12h',
    '  bin/jobs restore data/backups/jobs-backup-2026-12-01T03-00-00-000Z.db.gz --to /tmp/restored.db',
    '',
    'Ids can be shortened to a unique prefix of 4+ characters, the short form tables show (019a885b…0aa1) or a unique tail. bin/jobs --version prints the version.',
    'Exit codes: 0 success, 1 failure or not found, 2 usage error.',
  ].join('\n');
}

/** A first word that is neither a command nor a job: most often a typo, so name what was likely meant. */
function unknownWord(word: string, jobNames: string[]): JobsError {
  const meant = closestWord(word, [...Object.keys(commands), ...jobNames]);
  if (meant) return new JobsError('usage', `Unknown command or job "${word}". Did you mean ${meant}?`);
  return new JobsError('usage', `Unknown job "${word}", and no command has that name. Registered jobs: ${jobNames.join(', ') || '(none)'}. Run bin/jobs for the commands.`);
}

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Runs one CLI invocation and returns its exit code; user errors print a message, never a stack. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  if (process.env.DEBUG) stacksNameTheSources();
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
      io.out(helpText());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.out(packageVersion());
      return 0;
    }
    const command = Object.hasOwn(commands, first) ? commands[first] : undefined;
    if (command) {
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(`Usage: ${command.usage}\n  ${command.summary}`);
        return 0;
      }
      if (command.runsJobs) stacksNameTheSources();
      return await closingTheEngine(async () => (await command.load()).run(rest, io));
    }
    if (first.startsWith('-')) throw new JobsError('usage', `Unknown option ${first}. Run bin/jobs for help.`);
    stacksNameTheSources();
    const { registry } = await import('../jobs');
    if (!registry.get(first)) throw unknownWord(first, registry.list().map((j) => j.name));
    const { runJobNow } = await import('./commands/run-now');
    return await closingTheEngine(() => runJobNow(first, rest, io));
  } catch (error) {
    const { renderError } = await import('./format');
    if (isJobsError(error)) {
      io.err(renderError(error.message));
      return errorSurface[error.code].exitCode;
    }
    // Not the user's doing: say what happened; the stack only when asked for.
    const { message, stack } = describeError(error);
    io.err(renderError(process.env.DEBUG ? (stack ?? message) : `${message} (set DEBUG=1 for details)`));
    return 1;
  }
}

/**
 * Compiled (bin/jobs), a stack names .build/ chunks unless Node reads their source maps, for
 * the code loaded from now on. Reading them costs time at each load, so only where stacks are
 * kept or shown: a job's (stored with its attempt, grouped by its top frame), or any with DEBUG.
 */
function stacksNameTheSources(): void {
  process.setSourceMapsEnabled(true);
}

/** Runs a command's code, then closes the process's engine if that code opened it. */
async function closingTheEngine(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } finally {
    const { closeEngine } = await import('../db/client');
    await closeEngine();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
