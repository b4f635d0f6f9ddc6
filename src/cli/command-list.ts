import type { Command } from './io';

/** A command as help shows it; its code (and what that imports: the database, the job classes) is loaded only when it runs. */
export interface CommandEntry {
  usage: string;
  summary: string;
  /** It runs jobs, whose error stacks are stored and fingerprinted: they must name src/ files, not the compiled CLI's. */
  runsJobs?: true;
  load(): Promise<Command>;
}

/**
 * THE list of commands, in the order help shows them. The help texts live here, not in the
 * command files, so that `bin/jobs`, `--help` and a usage error load none of the commands.
 */
export const commandList = {
  types: {
    usage: 'bin/jobs types [--json]',
    summary: 'registered job names with their queue, priority, attempts and timeout',
    load: async () => (await import('./commands/types')).typesCommand,
  },
  list: {
    usage: 'bin/jobs list [--status S] [--name N] [--queue Q] [--param k=v ...] [--limit 50] [--json]',
    summary: 'newest jobs first (for --status completed, failed or cancelled: newest finished first), filtered by state, name, queue or params (--param user.id=42: among the newest 100,000 jobs)',
    load: async () => (await import('./commands/list')).listCommand,
  },
  status: {
    usage: 'bin/jobs status <id-or-prefix> [--json] [--watch]',
    summary: 'a job in full: params, result, error, attempts with logs, progress history, lock',
    load: async () => (await import('./commands/status')).statusCommand,
  },
  enqueue: {
    usage: 'bin/jobs enqueue <job-name> [--param k=v ...] [--params JSON] [--queue Q] [--priority P] [--delay 5m] [--at ISO] [--max-attempts N] [--key K]\n       [--concurrency-key K [--concurrency-limit N]] [--json]',
    summary: 'store a job for a worker and print its id (--json: the stored job)',
    load: async () => (await import('./commands/enqueue')).enqueueCommand,
  },
  retry: {
    usage: 'bin/jobs retry <id-or-prefix> | bin/jobs retry --failed [--name N] [--queue Q] [--limit 10] [--show] [--json]',
    summary: 'put a failed or cancelled job (or the newest failed ones) back to pending with fresh attempts',
    load: async () => (await import('./commands/retry')).retryCommand,
  },
  cancel: {
    usage: 'bin/jobs cancel <id-or-prefix> [--json]',
    summary: 'cancel a pending job at once, or a running one at its worker\'s next heartbeat',
    load: async () => (await import('./commands/cancel')).cancelCommand,
  },
  stats: {
    usage: 'bin/jobs stats [--queue Q] [--hours 24] [--json] [--watch]',
    summary: 'counts per state and queue, throughput, failure rate, p50/p95/p99 run time per job name, oldest waiting age; --watch redraws every 2 s',
    load: async () => (await import('./commands/stats')).statsCommand,
  },
  queues: {
    usage: `bin/jobs queues [--json]
       bin/jobs queues pause <queue> | bin/jobs queues resume <queue>
       bin/jobs queues limit <queue> --rate <max>/<duration> (e.g. 100/1m) | bin/jobs queues limit <queue> --clear`,
    summary: 'queues with live jobs; pause or resume one, or limit its rate (persisted, honoured by every worker)',
    load: async () => (await import('./commands/queues')).queuesCommand,
  },
  worker: {
    usage: 'bin/jobs worker [--queue a,b] [--concurrency N] [--drain]',
    summary: 'run a worker in this terminal (Ctrl-C finishes running jobs, then stops)',
    runsJobs: true,
    load: async () => (await import('./commands/worker')).workerCommand,
  },
  schedule: {
    usage: 'bin/jobs schedule list | show <name> | add --name N --job J --cron "0 2 * * *" [--tz Europe/Paris] [--param k=v] [--desc D] [--misfire skip|run-once] | enable|disable|remove|run <name>',
    summary: 'cron schedules: list, show, add, enable, disable, remove, run now',
    load: async () => (await import('./commands/schedule')).scheduleCommand,
  },
  cron: {
    usage: 'bin/jobs cron',
    summary: 'run a cron poller in this terminal (several at once are safe)',
    runsJobs: true,
    load: async () => (await import('./commands/cron')).cronCommand,
  },
  alerts: {
    usage: `bin/jobs alerts list [--json] | remove <name> | test <name>
       bin/jobs alerts add --name N --kind failure-rate|queue-age|no-worker|schedule-missed|job-failed [--job J | --queue Q | --schedule S]
         [--threshold 20% | 10m] [--window 15m] [--min-count 10] --notify slack:URL|webhook:URL|email:ADDRESS`,
    summary: 'alert rules, checked by the cron poller every 30 s; each alert is notified once when it fires and once when it clears; test sends one now',
    load: async () => (await import('./commands/alerts')).alertsCommand,
  },
  cleanup: {
    usage: 'bin/jobs cleanup [--completed-older-than 1d] [--failed-older-than 7d] [--json]',
    summary: 'delete finished jobs past their retention, with their attempts and progress, and stats minutes older than 7 days',
    runsJobs: true,
    load: async () => (await import('./commands/cleanup')).cleanupCommand,
  },
  restore: {
    usage: 'bin/jobs restore <backup-file> [--to path] [--force] [--json]',
    summary: 'restore a database-backup file (decrypted with JOBS_BACKUP_KEY) into --to, default the configured database file, and check it; '
      + 'an existing file needs --force and is kept as <name>.before-restore-<time>. Stop every worker first',
    load: async () => (await import('./commands/restore')).restoreCommand,
  },
  migrate: {
    usage: 'bin/jobs migrate',
    summary: 'apply database migrations (every process also does this at start)',
    load: async () => (await import('./commands/migrate')).migrateCommand,
  },
} satisfies Record<string, CommandEntry>;

/** Running a job by its name: not a command of its own, but shown in help beside them. */
export const runNowUsage = 'bin/jobs <job-name> [--param k=v ...] [--params JSON] [--json]';
