import { z } from 'zod';
import { defaults } from '../../config/defaults';
import { getEngine } from '../../db/client';
import { readStats } from '../../lib/jobs/stats';
import { withApi } from '../auth';
import { readQuery } from '../request-input';

// Read after the field's name (hours: must be ...), as every zod error of the API is.
const hoursError = `must be a whole number from 1 to ${defaults.statsMaxWindowHours}`;

/**
 * `?queue=&hours=`. Other parameters are ignored rather than refused: the
 * nself and NestJS clients this endpoint also answers may send their own, and
 * the answer's `window` and `queue` say what was read.
 */
export const statsQuery = z.object({
  queue: z.string().min(1).max(100).optional(),
  hours: z.coerce.number({ error: hoursError }).int({ error: hoursError }).min(1, { error: hoursError })
    .max(defaults.statsMaxWindowHours, { error: hoursError }).default(defaults.statsWindowHours),
});

/** GET /api/stats and its NestJS name GET /api/jobs/stats: one handler, so the two can never answer differently. */
export const getStats = withApi(async (request) => {
  const { queue, hours } = readQuery(request, statsQuery);
  return readStats(await getEngine(), { queue, hours, now: Date.now() });
}, { role: 'read' });
