import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { createJob } from '@/lib/jobs';
import { readJobProgress } from '@/lib/jobs/react/read-job-progress';

useTempDatabase({ JOBS_REDACT_KEYS: 'apiKey' });
const Echo = createJob('progress-echo', async (params: { apiKey: string; n: number }, ctx) => {
  await ctx.updateProgress(50, 'halfway');
  return { n: params.n, apiKey: params.apiKey };
});

describe('readJobProgress, the action behind useJobProgress', () => {
  it('follows a job by its whole id only: no prefix, no short form, no params; the result masked', async () => {
    const id = await Echo.later({ apiKey: 'secret-1', n: 7 });
    expect(await readJobProgress(id)).toMatchObject({ id, name: 'progress-echo', state: 'pending', percent: 0, result: null, error: null });
    for (const typed of [id.slice(0, 13), `${id.slice(0, 8)}…${id.slice(-4)}`, id.slice(-12), '', 'not-an-id']) {
      expect(await readJobProgress(typed)).toBeNull();
    }
    await Echo.executeFromDatabase(id);
    const view = await readJobProgress(id);
    expect(view).toMatchObject({ state: 'completed', label: 'completed', percent: 100, result: { n: 7, apiKey: '[redacted]' } });
    expect(JSON.stringify(view)).not.toContain('secret-1');
    expect(view).not.toHaveProperty('params');
  });
});
