import { Job, type JobClass } from './job';
import type { JobContext, JobOptions, ParamSchema } from './types';

/**
 * A job class from a function, for small jobs:
 * `export const Resize = createJob('resize', async (params, ctx) => ..., { queue: 'images' })`.
 * The function gets the params and the job's context (logger, signal, updateProgress).
 */
export function createJob<P = Record<string, unknown>, R = unknown>(
  name: string,
  perform: (params: P, context: JobContext) => Promise<R>,
  options: JobOptions & { params?: ParamSchema<P>; encrypt?: readonly string[] } = {},
): JobClass<P, R> & typeof Job<P, R> {
  const { params, encrypt, ...jobOptions } = options;
  return class extends Job<P, R> {
    static jobName = name;
    static options = jobOptions;
    static params = params;
    static encrypt = encrypt;
    protected perform(input: P): Promise<R> {
      return perform(input, this.context);
    }
  };
}
