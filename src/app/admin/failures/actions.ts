'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getEngine } from '@/db/client';
import { countFailedOfGroup, runGroupActionAs, type GroupAction } from '@/lib/jobs/failure-group-actions';
import { adminAction } from '../_lib/admin-action';

/** A group, and whether the person confirmed: without `confirm`, a dry run that only counts. */
const groupForm = z.object({
  name: z.string({ error: 'The job name is missing' }).min(1).max(200),
  fingerprint: z.string({ error: 'The fingerprint is missing' }).min(1).max(200),
  confirm: z.literal('yes').optional(),
});

export interface GroupActionResult {
  /** The group it was about, so the form of that group asks to confirm. */
  name: string;
  fingerprint: string;
  /** True for the dry run: `count` jobs would change, and the form asks to confirm. */
  dryRun: boolean;
  count: number;
  message: string;
}

function groupAction(action: GroupAction) {
  return adminAction(groupForm, async ({ name, fingerprint, confirm }, principal): Promise<GroupActionResult> => {
    const engine = await getEngine();
    const group = { name, fingerprint };
    if (confirm !== 'yes') {
      const count = await countFailedOfGroup(engine, group);
      const verb = action === 'retry' ? 'Retry' : 'Delete';
      return { name, fingerprint, dryRun: true, count, message: `${verb} ${count} failed ${count === 1 ? 'job' : 'jobs'} of ${name}?` };
    }
    const count = await runGroupActionAs(engine, action, group, principal.who);
    revalidatePath('/admin/failures', 'layout');
    const verb = action === 'retry' ? 'Retried' : 'Deleted';
    return { name, fingerprint, dryRun: false, count, message: `${verb} ${count} ${count === 1 ? 'job' : 'jobs'}` };
  });
}

/** Retries every failed job of a failure group (a dry run first, then in chunks of 500; one action-log entry). */
export const retryGroupAction = groupAction('retry');
/** Deletes every failed job of a failure group (a dry run first, then in chunks of 500; one action-log entry). */
export const discardGroupAction = groupAction('delete');
