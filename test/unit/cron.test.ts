import { describe, expect, it } from 'vitest';
import { checkSchedule, nextFireAfter, planFires } from '@/core/cron';

const utc = (iso: string) => Date.parse(iso);
const fires = (expr: string, tz: string, fromIso: string, n: number) => {
  const out: string[] = [];
  let t = utc(fromIso);
  for (let i = 0; i < n; i++) {
    t = nextFireAfter(expr, tz, t)!;
    out.push(new Date(t).toISOString());
  }
  return out;
};

describe('next fire times', () => {
  it('every 15 minutes in business hours, in UTC', () => {
    expect(fires('*/15 9-17 * * *', 'UTC', '2026-01-05T17:20:00Z', 4)).toEqual([
      '2026-01-05T17:30:00.000Z', '2026-01-05T17:45:00.000Z', '2026-01-06T09:00:00.000Z', '2026-01-06T09:15:00.000Z',
    ]);
  });
  it('weekdays at 9, skipping the weekend', () => {
    expect(fires('0 9 * * 1-5', 'UTC', '2026-01-08T10:00:00Z', 3)).toEqual([
      '2026-01-09T09:00:00.000Z', '2026-01-12T09:00:00.000Z', '2026-01-13T09:00:00.000Z',
    ]);
  });
  it('the first of the month at midnight', () => {
    expect(fires('0 0 1 * *', 'UTC', '2026-01-15T00:00:00Z', 3)).toEqual([
      '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z',
    ]);
  });
  it('every 6 hours', () => {
    expect(fires('0 */6 * * *', 'UTC', '2026-01-01T05:00:00Z', 4)).toEqual([
      '2026-01-01T06:00:00.000Z', '2026-01-01T12:00:00.000Z', '2026-01-01T18:00:00.000Z', '2026-01-02T00:00:00.000Z',
    ]);
  });
  it('30 2 * * * in UTC', () => {
    expect(fires('30 2 * * *', 'UTC', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T02:30:00.000Z', '2026-03-30T02:30:00.000Z']);
  });

  describe('in Europe/Paris, across daylight saving changes', () => {
    it('2:30 on the spring-forward day (29 March 2026, 02:00 -> 03:00) fires once, at the first valid time after it', () => {
      // CET (+1) before, CEST (+2) after. 02:30 does not exist that night.
      expect(fires('30 2 * * *', 'Europe/Paris', '2026-03-27T12:00:00Z', 3)).toEqual([
        '2026-03-28T01:30:00.000Z', // 02:30 CET
        '2026-03-29T01:00:00.000Z', // 03:00 CEST, the first time after the gap
        '2026-03-30T00:30:00.000Z', // 02:30 CEST
      ]);
    });
    it('2:30 on the fall-back day (25 October 2026, 03:00 -> 02:00) fires once, not twice', () => {
      expect(fires('30 2 * * *', 'Europe/Paris', '2026-10-24T12:00:00Z', 2)).toEqual([
        '2026-10-25T00:30:00.000Z', // 02:30 CEST, the first of the two
        '2026-10-26T01:30:00.000Z', // 02:30 CET
      ]);
    });
    it('weekdays at 9 local time move by an hour in UTC with the clocks', () => {
      expect(fires('0 9 * * 1-5', 'Europe/Paris', '2026-03-26T12:00:00Z', 3)).toEqual([
        '2026-03-27T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z',
      ]);
    });
    it('every 15 minutes in business hours keep local hours', () => {
      expect(fires('*/15 9-17 * * *', 'Europe/Paris', '2026-03-29T15:50:00Z', 2)).toEqual(['2026-03-30T07:00:00.000Z', '2026-03-30T07:15:00.000Z']);
    });
    it('every 6 hours on the short day', () => {
      expect(fires('0 */6 * * *', 'Europe/Paris', '2026-03-28T22:00:00Z', 3)).toEqual([
        '2026-03-28T23:00:00.000Z', '2026-03-29T04:00:00.000Z', '2026-03-29T10:00:00.000Z',
      ]);
    });
    it('the first of the month at local midnight', () => {
      expect(fires('0 0 1 * *', 'Europe/Paris', '2026-03-15T00:00:00Z', 2)).toEqual(['2026-03-31T22:00:00.000Z', '2026-04-30T22:00:00.000Z']);
    });
  });

  it('reads six fields with seconds first', () => {
    expect(fires('*/20 * * * * *', 'UTC', '2026-01-01T00:00:05Z', 3)).toEqual([
      '2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z', '2026-01-01T00:01:00.000Z',
    ]);
  });
});

describe('checking schedules', () => {
  it('refuses bad expressions and timezones with a clear message', () => {
    expect(() => checkSchedule('61 * * * *', 'UTC')).toThrow(/Invalid cron expression "61 \* \* \* \*": Invalid value for minute: 61/);
    expect(() => checkSchedule('* * *', 'UTC')).toThrow(/needs 5 fields/);
    expect(() => checkSchedule('0 2 * * *', 'Mars/Olympus')).toThrow(/Unknown timezone "Mars\/Olympus"/);
    expect(() => checkSchedule('0 2 * * *', 'Europe/Paris')).not.toThrow();
  });
});

describe('planning fires after a gap', () => {
  const everyMinute = '* * * * *';
  const t0 = utc('2026-01-01T00:00:00Z');
  it('runs every fire within the grace period', () => {
    expect(planFires(everyMinute, 'UTC', t0, t0 + 2 * 60_000, 'skip', 5 * 60_000)).toEqual({ fires: [t0, t0 + 60_000, t0 + 120_000], missed: 0, next: t0 + 180_000 });
  });
  it('skip drops fires older than the grace period', () => {
    const now = t0 + 10 * 60_000 + 1;
    // Fires at minutes 0..9 are more than a minute late; minute 10 is on time.
    expect(planFires(everyMinute, 'UTC', t0, now, 'skip', 60_000)).toEqual({ fires: [t0 + 10 * 60_000], missed: 10, next: t0 + 11 * 60_000 });
  });
  it('run-once runs one job for all the missed fires', () => {
    const now = t0 + 10 * 60_000 + 1;
    // One run stands for the ten missed fires (at the latest of them), then the on-time one runs.
    expect(planFires(everyMinute, 'UTC', t0, now, 'run-once', 60_000)).toEqual({ fires: [t0 + 9 * 60_000, t0 + 10 * 60_000], missed: 9, next: t0 + 11 * 60_000 });
  });
  it('after a very long gap, counts up to a limit and jumps ahead', () => {
    const plan = planFires('* * * * * *', 'UTC', t0, t0 + 86_400_000, 'skip', 1_000);
    expect(plan.missed).toBe(10_000);
    expect(plan.fires).toEqual([t0 + 86_399_000, t0 + 86_400_000]);
  });
});
