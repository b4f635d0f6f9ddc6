import { z } from 'zod';
import { jobTextMaxChars } from '../../core/job-text';
import type { LaterOptions } from '../../lib/jobs/types';

/**
 * The bodies POST /api/jobs takes: ours, and the two legacy shapes of
 * PRODUCT.md section 4, each turned into (job name, params, options) so one
 * enqueue path serves all three.
 */

const priority = z.union([z.number().int(), z.enum(['critical', 'high', 'normal', 'low'])]);
const duration = z.union([z.number().int().min(0), z.string().min(1).max(50)]);
const jobName = z.string().min(1).max(200);
/** A job's title and description: the same limits as `.later()` (core/job-text.ts), named in the body's own words. */
const jobTitle = z.string().max(jobTextMaxChars.title, `the job's title is at most ${jobTextMaxChars.title} characters`);
const jobDescription = z.string().max(jobTextMaxChars.description, `the job's description is at most ${jobTextMaxChars.description} characters`);

/** Ours: {name, params, queue?, priority?, delay?, runAt?, maxAttempts?, timeout?, idempotencyKey?, dependsOn?, title?, description?}. */
export const enqueueBody = z.object({
  name: jobName,
  params: z.unknown().optional(),
  queue: z.string().min(1).max(100).optional(),
  priority: priority.optional(),
  delay: duration.optional(),
  runAt: z.union([z.string().min(1).max(50), z.number().int()]).optional(),
  maxAttempts: z.number().int().min(1).max(1_000).optional(),
  timeout: duration.optional(),
  idempotencyKey: z.string().min(1).max(500).optional(),
  dependsOn: z.array(z.string().min(4).max(40)).max(1_000).optional(),
  concurrencyKey: z.string().min(1).max(200).optional(),
  concurrencyLimit: z.number().int().min(1).optional(),
  onParentFailure: z.enum(['fail', 'run']).optional(),
  title: jobTitle.optional(),
  description: jobDescription.optional(),
}).strict();

/**
 * The legacy shapes, told apart from ours by `type` (the job name):
 * nself `{type, queue, payload, options: {priority, maxRetries, delay}}` and
 * NestJS `{type, name?, description?, data, priority, maxAttempts}`.
 */
export const legacyEnqueueBody = z.object({
  type: jobName,
  payload: z.unknown().optional(),
  data: z.unknown().optional(),
  queue: z.string().min(1).max(100).optional(),
  options: z.object({
    priority: priority.optional(),
    /** Attempts after the first. */
    maxRetries: z.number().int().min(0).max(999).optional(),
    /** Milliseconds. */
    delay: z.number().int().min(0).optional(),
  }).optional(),
  /** NestJS: the job's human title and description, kept as its `title` and `description`. */
  name: jobTitle.optional(),
  description: jobDescription.optional(),
  priority: priority.optional(),
  maxAttempts: z.number().int().min(1).max(1_000).optional(),
});

export interface EnqueueRequest {
  name: string;
  params: unknown;
  options: LaterOptions;
}

/** Any of the three shapes as one request; a bad body is a ZodError (400). */
export function enqueueRequestOf(body: unknown): EnqueueRequest {
  if (body !== null && typeof body === 'object' && 'type' in body) {
    const legacy = legacyEnqueueBody.parse(body);
    const maxRetries = legacy.options?.maxRetries;
    return {
      name: legacy.type,
      params: legacy.payload ?? legacy.data ?? {},
      options: {
        queue: legacy.queue,
        priority: legacy.options?.priority ?? legacy.priority,
        maxAttempts: maxRetries === undefined ? legacy.maxAttempts : maxRetries + 1,
        delay: legacy.options?.delay,
        title: legacy.name,
        description: legacy.description,
      },
    };
  }
  const { name, params, ...options } = enqueueBody.parse(body);
  return { name, params: params ?? {}, options };
}
