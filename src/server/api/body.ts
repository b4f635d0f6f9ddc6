import type { z } from 'zod';
import { getConfig } from '../../config/env';
import { JobsError } from '../../core/errors';
import { readJson } from '../request-input';

/** Bytes a JSON body may have beyond the params limit (the other fields, the legacy wrappers). */
const envelopeBytes = 64 * 1024;

/**
 * The JSON body checked by `schema`, refused with 413 before it is read when
 * its Content-Length says it cannot fit the params limit (JOBS_MAX_PARAMS_BYTES)
 * plus an envelope; the params themselves are measured exactly at enqueue.
 */
export function readBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const length = Number(request.headers.get('content-length') ?? 0);
  const limit = getConfig().maxParamsBytes + envelopeBytes;
  if (length > limit) throw new JobsError('params_too_large', `The body is ${length} bytes; at most ${limit} are read (params up to JOBS_MAX_PARAMS_BYTES, ${getConfig().maxParamsBytes})`);
  return readJson(request, schema);
}
