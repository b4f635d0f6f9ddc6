import type { z } from 'zod';
import { authorizeAction, type Principal } from '@/server/auth';
import { validatedAction } from '../../_lib/validated-action';

/**
 * A server action that changes something: the caller must hold the admin role
 * (authorizeAction: a read-only session, none, or a cross-site post is refused
 * with the forbidden / unauthorized message, whatever the page showed), then
 * its form is parsed and `fn` runs with who asked, for the action log.
 */
export function adminAction<S extends z.ZodType, R>(schema: S, fn: (input: z.output<S>, principal: Principal) => Promise<R>) {
  return validatedAction(schema, async (input) => fn(input, await authorizeAction('admin')));
}
