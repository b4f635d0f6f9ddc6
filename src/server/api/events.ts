import { z } from 'zod';
import { isTerminal } from '../../core/states';
import { JobsError } from '../../core/errors';
import { getEngine } from '../../db/client';
import type { Engine } from '../../db/engine';
import type { JobEventRow } from '../../db/schema';
import { changeFeed } from '../../lib/jobs/change-feed';
import { jobChangeJson, readJobsJson, type JobJson } from '../../lib/jobs/json';
import { changeFeedBounds, readChanges } from '../../store/changes';
import { getJob, resolveJobId } from '../../store/queries';
import { sseResponse, type SseMessage, type SseStream } from '../sse';

/**
 * GET /api/events and GET /api/jobs/:id/events. Both read the change feed
 * (store/changes.ts), so they see jobs changed by workers in any process or on
 * any machine, and resume after Last-Event-ID from the database: a reconnect
 * misses nothing the feed still keeps. Each stream starts with a `ready`
 * message carrying the newest id, so even a client that saw no change yet
 * resumes from where it was.
 */

const eventId = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Where a client resumes: the Last-Event-ID header EventSource sends on reconnect, or ?lastEventId= for the first connection. */
function resumeAfter(request: Request): number | undefined {
  const value = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId');
  if (value === null || value === '') return undefined;
  const parsed = eventId.safeParse(value);
  if (!parsed.success) throw new JobsError('bad_request', `Last-Event-ID must be an event id (a whole number), not "${value.slice(0, 40)}"`);
  return parsed.data;
}

const eventsQuery = z.object({ queue: z.string().min(1).max(100).optional(), name: z.string().min(1).max(200).optional() }).strict();

/**
 * Sends, in order and once each, the changes after `after` that `matches`:
 * those already in the table (up to the feed's head when it subscribed), then
 * the live ones the feed hands over, while `deliver` turns a run of them into
 * messages. Ids at or below the last one sent are dropped, so the overlap of
 * the catch-up read and the live feed is sent once.
 */
async function streamChanges(
  engine: Engine,
  stream: SseStream,
  options: { after: number | undefined; jobId?: string; matches: (change: JobEventRow) => boolean; deliver: (changes: JobEventRow[]) => Promise<SseMessage[]> },
  /** The first messages, given the id they may carry: the feed's head, or the client's own place when it resumes. */
  opening: (id: number, gap: boolean) => Promise<SseMessage[]>,
): Promise<void> {
  let lastSent = 0;
  let queue: Promise<void> = Promise.resolve();
  const send = (changes: readonly JobEventRow[]) => {
    queue = queue.then(async () => {
      const fresh = changes.filter((change) => change.id > lastSent && options.matches(change));
      if (fresh.length === 0 || stream.closed) return;
      lastSent = fresh[fresh.length - 1].id;
      stream.send(await options.deliver(fresh));
    });
    return queue;
  };
  const held: JobEventRow[] = [];
  let catchingUp = true;
  const subscription = await changeFeed(engine).subscribe((changes) => {
    if (catchingUp) held.push(...changes);
    else void send(changes).catch(() => stream.close());
  });
  stream.onClose(() => subscription.unsubscribe());

  const { oldest, newest } = await changeFeedBounds(engine);
  const after = options.after;
  // The client's place is gone: pruned, or from before the database was replaced. (A place past this
  // process's head but not past the table's is fine: another web process read further; the live feed goes on from it.)
  const gap = after !== undefined && (after > newest || (oldest !== null && after < oldest - 1));
  stream.send(await opening(after === undefined || gap ? subscription.head : after, gap));
  if (after === undefined || gap) {
    lastSent = subscription.head;
  } else {
    lastSent = after;
    for (let from = after; from < subscription.head && !stream.closed; ) {
      const page = await readChanges(engine, from, 1_000, options.jobId);
      const upToHead = page.filter((change) => change.id <= subscription.head);
      await send(upToHead);
      if (page.length < 1_000 || upToHead.length < page.length) break;
      from = page[page.length - 1].id;
    }
  }
  catchingUp = false;
  await send(held.splice(0));
}

/** GET /api/events?queue=&name=: every change, as JobChangeJson, named by its type (job.started, job.progress ...). */
export async function allEventsResponse(request: Request): Promise<Response> {
  const filter = eventsQuery.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([key]) => key !== 'lastEventId')));
  const after = resumeAfter(request);
  const engine = await getEngine();
  return sseResponse(request, (stream) =>
    streamChanges(
      engine,
      stream,
      {
        after,
        matches: (change) => (filter.queue === undefined || change.queue === filter.queue) && (filter.name === undefined || change.name === filter.name),
        deliver: async (changes) => changes.map((change) => ({ id: change.id, event: `job.${change.kind}`, data: jobChangeJson(change) })),
      },
      // `reset`: changes were missed, so a list built from them is stale: read it again.
      async (id, gap) => [{ id, event: gap ? 'reset' : 'ready', data: { seq: id } }],
    ),
  );
}

/**
 * GET /api/jobs/:id/events: one job's changes until it ends, each with the
 * job's whole JSON as it is when sent (params masked). Opens with a `job`
 * message holding it; ends after the change that made it terminal. A client
 * resuming a job that had already ended, with nothing left to send, gets 204,
 * which tells EventSource to stop reconnecting.
 */
export async function jobEventsResponse(request: Request, typedId: string): Promise<Response> {
  const after = resumeAfter(request);
  const engine = await getEngine();
  const id = await resolveJobId(engine, typedId);
  const job = await getJob(engine, id);
  if (!job) throw new JobsError('not_found', `No job matches "${typedId}"`);
  if (after !== undefined && isTerminal(job.state) && (await readChanges(engine, after, 1, id)).length === 0) return new Response(null, { status: 204 });

  const current = async (): Promise<JobJson | null> => {
    const row = await getJob(engine, id);
    return row ? (await readJobsJson(engine, [row]))[0] : null;
  };
  return sseResponse(request, async (stream) => {
    await streamChanges(
      engine,
      stream,
      {
        after,
        jobId: id,
        matches: (change) => change.jobId === id,
        deliver: async (changes) => {
          const now = await current(); // one read for a run of changes: each carries the job as it is now
          const messages: SseMessage[] = changes.map((change) => ({ id: change.id, event: `job.${change.kind}`, data: { ...jobChangeJson(change), job: now } }));
          if (now === null || changes.some((change) => isTerminal(change.state))) setImmediate(() => stream.close());
          return messages;
        },
      },
      async (id, gap) => {
        const now = await current();
        // Starting afresh (or past a gap), the job as it is now is the whole story; resuming, the changes missed follow.
        if (now === null || ((after === undefined || gap) && isTerminal(now.state))) setImmediate(() => stream.close());
        return [{ id, event: 'job', data: now }];
      },
    );
  });
}
