import { z } from 'zod';
import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { readJson, readQuery } from '@/server/request-input';
import { appendActivity, listActivity, type Activity } from '@/store/activity';

export const dynamic = 'force-dynamic';

const limitError = 'limit must be a whole number from 1 to 500';
const listQuery = z.object({
  limit: z.coerce.number({ error: limitError }).int({ error: limitError }).min(1, { error: limitError }).max(500, { error: limitError }).default(50),
  cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, { error: 'cursor must be a nextCursor this endpoint returned' }).optional(),
});

/** An entry as the API shows it: times as ISO-8601 UTC. */
function activityJson(entry: Activity) {
  const { id, at, actor, action, target, jobIds, jobCount, details } = entry;
  return { id, at: new Date(at).toISOString(), who: actor, action, target, jobIds, jobCount, details };
}

/** The action log, newest first: `?limit=50&cursor=<nextCursor>` -> { activity, nextCursor }. */
export const GET = withApi(async (request) => {
  const query = readQuery(request, listQuery);
  const page = await listActivity(await getEngine(), { limit: query.limit, before: query.cursor ? Number(query.cursor) : undefined });
  return { activity: page.entries.map(activityJson), nextCursor: page.nextBefore === null ? null : String(page.nextBefore) };
}, { role: 'read' });

const noteBody = z.object({ message: z.string().trim().min(1).max(1_000) }).strict();

/** Writes an operator's note into the log (a deploy, why a queue was paused): { message } -> 201 entry. Admin only. */
export const POST = withApi(async (request, { principal }) => {
  const { message } = await readJson(request, noteBody);
  const now = Date.now();
  const id = await appendActivity(await getEngine(), { actor: principal!.who, action: 'note', details: { message } }, now);
  return Response.json(activityJson({ id, at: now, actor: principal!.who, action: 'note', target: null, jobIds: [], jobCount: 0, details: { message } }), { status: 201 });
}, { role: 'admin' });
