import type { z } from 'zod';
import { JobsError } from '../core/errors';

/** The JSON body checked by `schema`; not JSON is a 400 (bad_request), and so is what the schema rejects (a ZodError). */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new JobsError('bad_request', 'The body is not valid JSON');
  }
  return schema.parse(body);
}

/** The query string checked by `schema`, each parameter as a string (the last one, when repeated). */
export function readQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  return schema.parse(Object.fromEntries(new URL(request.url).searchParams));
}
