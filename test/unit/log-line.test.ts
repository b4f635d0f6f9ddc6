import { describe, expect, it } from 'vitest';
import { isJsonObjectLine, jsonLogLine } from '@/core/log-line';

describe('jsonLogLine', () => {
  it('writes the fields in a fixed order on one line, leaving out those a line does not have', () => {
    const line = jsonLogLine('worker', { message: 'failed demo', event: 'job.failed', level: 'error', error: 'boom\nsecond line', attempt: 2, jobId: 'j1', timedOut: false }, Date.UTC(2026, 11, 1, 10));
    expect(line).toBe('{"time":"2026-12-01T10:00:00.000Z","level":"error","process":"worker","event":"job.failed","jobId":"j1","attempt":2,"error":"boom\\nsecond line","message":"failed demo","timedOut":false}');
    expect(line.includes('\n')).toBe(false);
  });
});

describe('isJsonObjectLine', () => {
  it('knows a JSON object from a readable line, an array or a broken object', () => {
    expect(isJsonObjectLine('{"level":"info"}')).toBe(true);
    expect(isJsonObjectLine('12:00:00.000 started demo')).toBe(false);
    expect(isJsonObjectLine('[1,2]')).toBe(false);
    expect(isJsonObjectLine('{not json')).toBe(false);
  });
});
