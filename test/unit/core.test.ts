import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '@/core/backoff';
import { parseDuration, parseInstant } from '@/core/duration';
import { newJobId } from '@/core/ids';
import { toJsonParams } from '@/core/json';
import { parsePriority } from '@/core/priority';
import { displayState, isTerminal, transitions } from '@/core/states';

describe('durations', () => {
  it('reads numbers as ms and unit strings, alone or combined', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
  });
  it('refuses what it cannot read', () => {
    for (const bad of ['', 'soon', '5 minutes', '-1s', '5x']) expect(() => parseDuration(bad)).toThrow(/Invalid duration/);
    expect(() => parseDuration(-1)).toThrow(/Invalid duration/);
  });
  it('reads instants from Dates, ISO strings and epoch ms', () => {
    expect(parseInstant('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseInstant(new Date(5))).toBe(5);
    expect(() => parseInstant('tomorrow-ish')).toThrow(/Invalid date/);
  });
});

describe('priorities', () => {
  it('maps names and integers; higher runs first', () => {
    expect([parsePriority('critical'), parsePriority('high'), parsePriority('normal'), parsePriority('low')]).toEqual([10, 5, 0, -5]);
    expect(parsePriority('-3')).toBe(-3);
    expect(parsePriority(7)).toBe(7);
    expect(parsePriority(undefined, 2)).toBe(2);
    expect(() => parsePriority('urgent')).toThrow(/Invalid priority/);
    expect(() => parsePriority(1.5)).toThrow(/Invalid priority/);
  });
});

describe('backoff', () => {
  it('fixed waits the same each time', () => {
    expect([1, 2, 5].map((n) => retryDelayMs({ type: 'fixed', delay: 300 }, n))).toEqual([300, 300, 300]);
  });
  it('exponential doubles its ceiling with full jitter under a cap', () => {
    const top = () => 1;
    expect([1, 2, 3, 4].map((n) => retryDelayMs({ type: 'exponential', delay: 100 }, n, top))).toEqual([100, 200, 400, 800]);
    expect(retryDelayMs({ type: 'exponential', delay: 100, maxDelay: 250 }, 10, top)).toBe(250);
    expect(retryDelayMs({ type: 'exponential', delay: 100 }, 3, () => 0.5)).toBe(200);
    expect(retryDelayMs({ type: 'exponential', delay: 100 }, 3, () => 0)).toBe(0);
  });
  it('a function decides by attempt', () => {
    expect(retryDelayMs((n) => n * 10, 4)).toBe(40);
  });
});

describe('ids', () => {
  it('are UUIDv7 and sort by creation', () => {
    const ids = Array.from({ length: 100 }, newJobId);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('JSON params', () => {
  it('accepts plain JSON and stores it compactly', () => {
    expect(toJsonParams({ a: [1, 'x', null, { b: true }] }, 1000)).toBe('{"a":[1,"x",null,{"b":true}]}');
    expect(toJsonParams(undefined, 1000)).toBe('{}');
  });
  it('refuses values that would not come back the same, naming where', () => {
    expect(() => toJsonParams({ when: new Date() }, 1000)).toThrow(/params\.when is a Date/);
    expect(() => toJsonParams({ f: () => 1 }, 1000)).toThrow(/params\.f is a function/);
    expect(() => toJsonParams({ n: Number.NaN }, 1000)).toThrow(/params\.n is NaN/);
    expect(() => toJsonParams({ list: [undefined] }, 1000)).toThrow(/params\.list\[0\] is undefined/);
    expect(() => toJsonParams({ big: 10n }, 1000)).toThrow(/params\.big is a bigint/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => toJsonParams(loop, 1000)).toThrow(/circular/);
  });
  it('refuses params over the size limit with their size', () => {
    expect(() => toJsonParams({ text: 'x'.repeat(2000) }, 1024)).toThrow(/2011 bytes; the limit is 1024 bytes/);
  });
});

describe('states', () => {
  it('terminal states go nowhere but back to pending by hand', () => {
    expect(isTerminal('completed')).toBe(true);
    expect(isTerminal('running')).toBe(false);
    expect(transitions.completed).toEqual([]);
    expect(transitions.failed).toEqual(['pending']);
  });
  it('refines pending into scheduled and retrying for display', () => {
    const now = 1_000;
    expect(displayState({ state: 'pending', attempts: 0, runAt: 2_000 }, now)).toBe('scheduled');
    expect(displayState({ state: 'pending', attempts: 1, runAt: 2_000 }, now)).toBe('retrying');
    expect(displayState({ state: 'pending', attempts: 0, runAt: 500 }, now)).toBe('pending');
    expect(displayState({ state: 'pending', attempts: 0, runAt: 500, scheduled: 2 }, now)).toBe('paused');
    expect(displayState({ state: 'pending', attempts: 0, runAt: 500, scheduled: 3 }, now)).toBe('blocked');
    expect(displayState({ state: 'pending', attempts: 1, runAt: 500, scheduled: 4 }, now)).toBe('throttled');
    expect(displayState({ state: 'pending', attempts: 0, runAt: 500, scheduled: 5 }, now)).toBe('pending'); // ready, in a rate-limited queue
  });
});
