import type { z } from 'zod';
import { isJobsError } from '@/core/errors';

/** The raw text of each field a form sent, echoed back so the form keeps what the user typed. */
export type FormValues = Record<string, string>;

/** What a form action hands back to its form through `useActionState`. */
export type FormState<R> =
  | { status: 'idle' }
  | { status: 'ok'; data: R; values: FormValues }
  | { status: 'error'; message: string; invalidFields: string[]; values: FormValues };

export const idleForm = { status: 'idle' } as const;

/**
 * A server action for a `<form>`: parses the form's fields with `schema`, then
 * calls `fn` with the result. Bad input and user errors (JobsError) come back
 * as a message for the form, never as a crash; any other error is a bug and is
 * thrown to the error boundary.
 */
export function validatedAction<S extends z.ZodType, R>(schema: S, fn: (input: z.output<S>) => Promise<R>) {
  return async (_previous: FormState<R>, formData: FormData): Promise<FormState<R>> => {
    const values = formValues(formData);
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      const invalidFields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')))].filter(Boolean);
      const message = [...new Set(parsed.error.issues.map((issue) => issue.message))].join('. ');
      return { status: 'error', message: `${message}.`, invalidFields, values };
    }
    try {
      return { status: 'ok', data: await fn(parsed.data), values };
    } catch (error) {
      if (isJobsError(error)) return { status: 'error', message: error.message, invalidFields: [], values };
      throw error;
    }
  };
}

/** The form's text fields, without the `$ACTION_...` fields React adds for progressive enhancement. */
function formValues(formData: FormData): FormValues {
  const values: FormValues = {};
  for (const [key, value] of formData.entries()) {
    if (typeof value === 'string' && !key.startsWith('$')) values[key] = value;
  }
  return values;
}
