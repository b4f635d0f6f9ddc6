'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { JobsError } from '@/core/errors';
import { getEngine } from '@/db/client';
import { bulkBody, bulkStatesText, countBulkMatches, maxBulkIds, runBulk, type BulkAction } from '@/server/api/bulk';
import type { FormState } from '../../_lib/validated-action';
import { adminAction } from '../_lib/admin-action';
import { bulkFilterOfQuery } from '../_lib/list-filter';

/**
 * The jobs list's bulk form: `intent` is the button pressed ("count" for Select
 * all matching); `scope` says whether the action is about the ticked rows
 * (`ids`) or every job matching the list's `filter` (its query string); without
 * `confirm` an action is a dry run that counts and asks.
 */
const bulkForm = z.object({
  intent: z.enum(['count', 'retry', 'cancel', 'delete'], { error: 'Choose Retry, Cancel or Delete' }),
  scope: z.enum(['rows', 'filter'], { error: 'Say whether the action is about the selected rows or the whole filter' }),
  ids: z.string().max(maxBulkIds * 40).default(''),
  filter: z.string().max(10_000).default(''),
  confirm: z.literal('yes').optional(),
});

export type BulkResult =
  /** Select all matching: how many jobs the filter matches. */
  | { step: 'count'; total: number; message: string }
  /** A dry run: `count` jobs would change; the form asks to confirm. */
  | { step: 'ask'; action: BulkAction; scope: 'rows' | 'filter'; ids: string[]; count: number; message: string }
  | { step: 'done'; action: BulkAction; count: number; message: string };

export type BulkState = FormState<BulkResult>;

const verbs: Record<BulkAction, { ask: string; done: string; passive: string }> = {
  retry: { ask: 'Retry', done: 'Retried', passive: 'retried' },
  cancel: { ask: 'Cancel', done: 'Cancelled', passive: 'cancelled' },
  delete: { ask: 'Delete', done: 'Deleted', passive: 'deleted' },
};

const jobs = (n: number) => (n === 1 ? 'job' : 'jobs');

/** The question a dry run asks, in the words of what was selected. */
function question(action: BulkAction, count: number, scope: 'rows' | 'filter', selected: number, state: string | undefined): string {
  const verb = verbs[action];
  const only = `Only ${bulkStatesText(action)} jobs are ${verb.passive}`;
  if (scope === 'filter') return state ? `${verb.ask} ${count} ${state} ${jobs(count)}?` : `${verb.ask} ${count} ${jobs(count)} matching this filter? ${only}.`;
  if (count === selected) return `${verb.ask} ${count} selected ${jobs(count)}?`;
  return `${verb.ask} ${count} of the ${selected} selected jobs? ${only}; the other ${selected - count} ${selected - count === 1 ? 'stays' : 'stay'} as ${selected - count === 1 ? 'it is' : 'they are'}.`;
}

const bulkFormAction = adminAction(bulkForm, async (input, principal): Promise<BulkResult> => {
  const engine = await getEngine();
  const filter = bulkFilterOfQuery(input.filter);
  if (input.intent === 'count') {
    const total = await countBulkMatches(engine, filter);
    if (total === 0) throw new JobsError('not_found', 'No job matches this filter now');
    return { step: 'count', total, message: total === 1 ? 'The 1 job matching this filter is selected' : `All ${total} jobs matching this filter are selected` };
  }
  const action = input.intent;
  const ids = [...new Set(input.ids.split(/\s+/).filter(Boolean))];
  if (input.scope === 'rows' && ids.length === 0) throw new JobsError('bad_request', 'Select some jobs first');
  const parsed = bulkBody.safeParse({ action, ...(input.scope === 'rows' ? { ids } : { filter }), dryRun: input.confirm !== 'yes' });
  if (!parsed.success) throw new JobsError('bad_request', parsed.error.issues.map((i) => i.message).join('; '));
  const answer = await runBulk(engine, parsed.data, principal.who);
  if ('matched' in answer) {
    const count = answer.matched;
    if (count === 0) {
      const what = input.scope === 'rows' ? (ids.length === 1 ? 'The selected job cannot' : 'None of the selected jobs can') : 'No job matching this filter can';
      throw new JobsError('conflict', `${what} be ${verbs[action].passive}: ${action} applies to ${bulkStatesText(action)} jobs`);
    }
    return { step: 'ask', action, scope: input.scope, ids, count, message: question(action, count, input.scope, ids.length, filter.state) };
  }
  revalidatePath('/admin', 'layout');
  return { step: 'done', action, count: answer.done, message: `${verbs[action].done} ${answer.done} ${jobs(answer.done)}` };
});

/**
 * Retry, Cancel or Delete on the jobs list, for the selected rows or every job
 * matching the filter: a dry run that counts and asks first, then runBulk (the
 * same function as POST /api/jobs/bulk: 500 jobs per write batch, one
 * action-log entry); "count" is Select all matching. Admin role only.
 */
export async function bulkJobsAction(previous: BulkState, formData: FormData): Promise<BulkState> {
  // Each ticked row posts an `id`; validatedAction keeps one value per name, so they travel as one `ids`.
  const ticked = formData.getAll('id').filter((value): value is string => typeof value === 'string');
  if (ticked.length) formData.set('ids', [formData.get('ids') ?? '', ...ticked].join(' ').trim());
  formData.delete('id');
  return bulkFormAction(previous, formData);
}
