import { describe, expect, it } from 'vitest';
import { parseAlertRule } from '@/core/alert-rule';
import { alertChanges, goneText, judgeRule, parseNotify, type AlertRule } from '@/core/alerts';

const rule = (overrides: Partial<AlertRule>): AlertRule => ({
  name: 'r', kind: 'failure-rate', jobName: 'charge', queue: null, scheduleName: null, threshold: 20, windowMs: 15 * 60_000, minCount: 10, notify: 'email:a@b.c', ...overrides,
});

describe('judgeRule', () => {
  it('failure-rate needs the minimum count of ended jobs, then a rate above the threshold', () => {
    expect(judgeRule(rule({}), { kind: 'failure-rate', completed: 0, failed: 1 }, 0)[0].bad).toBe(false);
    expect(judgeRule(rule({}), { kind: 'failure-rate', completed: 8, failed: 2 }, 0)[0].bad).toBe(false); // 20% is not above 20%
    expect(judgeRule(rule({}), { kind: 'failure-rate', completed: 7, failed: 3 }, 0)[0]).toMatchObject({ bad: true, message: expect.stringMatching(/30\.0% failed \(3 of 10\)/) });
  });

  it('queue-age compares the oldest ready job with the threshold; a queue with none is fine', () => {
    const r = rule({ kind: 'queue-age', jobName: null, queue: 'q', threshold: 60_000 });
    expect(judgeRule(r, { kind: 'queue-age', queues: [{ queue: 'q', oldestReadyAt: 1_000 }] }, 61_000)[0].bad).toBe(false);
    expect(judgeRule(r, { kind: 'queue-age', queues: [{ queue: 'q', oldestReadyAt: 1_000 }] }, 61_001)[0].bad).toBe(true);
    expect(judgeRule(r, { kind: 'queue-age', queues: [{ queue: 'q', oldestReadyAt: null }] }, 61_001)[0].bad).toBe(false);
  });

  it('schedule-missed is bad while the last miss is within the window', () => {
    const r = rule({ kind: 'schedule-missed', jobName: null, windowMs: 600_000 });
    const seen = { kind: 'schedule-missed' as const, schedules: [{ name: 's', lastMissedAt: 1_000, runsMissed: 2 }] };
    expect(judgeRule(r, seen, 600_999)[0].bad).toBe(true);
    expect(judgeRule(r, seen, 601_000)[0].bad).toBe(false);
  });
});

describe('alertChanges', () => {
  it('starts a bad subject not firing, clears a firing one that is fine or no longer seen, and leaves the rest', () => {
    const findings = [{ subject: 'a', bad: true, message: 'a bad' }, { subject: 'b', bad: true, message: 'b bad' }, { subject: 'c', bad: false, message: 'c ok' }];
    const states = [{ subject: 'b', firing: true }, { subject: 'c', firing: true }, { subject: 'gone', firing: true }];
    expect(alertChanges(findings, states)).toEqual([
      { subject: 'a', firing: true, message: 'a bad' },
      { subject: 'c', firing: false, message: 'c ok' },
      { subject: 'gone', firing: false, message: 'gone: no longer seen' },
    ]);
  });
});

describe('goneText', () => {
  it('says why a subject the rule no longer lists is fine, in the words of its kind', () => {
    const states = [{ subject: 'mail', firing: true }];
    expect(alertChanges([], states, (s) => goneText(rule({ kind: 'no-worker' }), s))).toEqual([{ subject: 'mail', firing: false, message: 'queue mail: no job ready now' }]);
    expect(goneText(rule({ kind: 'job-failed', windowMs: 300_000 }), 'sync')).toBe('job sync: no job failed in the last 5m 0s');
  });
});

describe('parseAlertRule and parseNotify', () => {
  it('reads percents and durations, with the default window and minimum count', () => {
    expect(parseAlertRule({ name: 'x', kind: 'failure-rate', queue: 'mail', threshold: '12.5%', notify: 'webhook:https://h.example/a' }))
      .toMatchObject({ threshold: 12.5, windowMs: 15 * 60_000, minCount: 10, queue: 'mail', jobName: null });
    expect(parseAlertRule({ name: 'x', kind: 'queue-age', threshold: '10m', window: '1h', notify: 'email:a@b.c' })).toMatchObject({ threshold: 600_000, windowMs: 3_600_000 });
    expect(() => parseAlertRule({ name: 'x', kind: 'no-worker', threshold: '5', notify: 'email:a@b.c' })).toThrow(/takes no --threshold/);
    expect(() => parseAlertRule({ name: 'x', kind: 'job-failed', window: '30s', notify: 'email:a@b.c' })).toThrow(/at least 1m/);
    expect(() => parseAlertRule({ name: 'x', kind: 'job-failed', window: '8d', notify: 'email:a@b.c' })).toThrow(/at most 168h/);
    expect(parseNotify('email:ops@example.com')).toEqual({ via: 'email', address: 'ops@example.com' });
  });
});
