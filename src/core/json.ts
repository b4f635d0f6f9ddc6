import { JobsError } from './errors';

/**
 * Serialises job params to JSON, refusing anything that would not come back
 * the same (functions, Dates, Maps, class instances, NaN, undefined in arrays)
 * and anything larger than maxBytes.
 * @example toJsonParams({ to: 'a@b.c' }, 1024) // '{"to":"a@b.c"}'
 */
export function toJsonParams(value: unknown, maxBytes: number, what = 'params'): string {
  assertJson(value, what);
  const text = JSON.stringify(value ?? {});
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) {
    throw new JobsError('params_too_large', `${what} are ${bytes} bytes; the limit is ${maxBytes} bytes (JOBS_MAX_PARAMS_BYTES)`);
  }
  return text;
}

/**
 * Throws an invalid_params error naming the first part of `value` that is not
 * plain JSON; what toJsonParams checks, for a caller that changes the value
 * before serialising it (encrypted params are checked in clear).
 * @example assertPlainJson({ at: new Date() }) // throws: params.at is a Date; params must be plain JSON ...
 */
export function assertPlainJson(value: unknown, what = 'params'): void {
  assertJson(value, what);
}

function assertJson(value: unknown, path: string, seen = new Set<object>()): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw notJson(path, `is ${value}`);
  }
  if (value === undefined) {
    if (path === 'params') return; // no params at all: stored as {}
    throw notJson(path, 'is undefined');
  }
  if (typeof value !== 'object') throw notJson(path, `is a ${typeof value}`);
  if (seen.has(value)) throw notJson(path, 'is a circular reference');
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJson(item, `${path}[${i}]`, seen));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as object).constructor?.name ?? 'object';
      throw notJson(path, `is a ${kind}`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) assertJson(item, `${path}.${key}`, seen);
    }
  }
  seen.delete(value);
}

function notJson(path: string, what: string): JobsError {
  return new JobsError('invalid_params', `${path} ${what}; params must be plain JSON (objects, arrays, strings, finite numbers, booleans, null)`);
}

/** Parses stored JSON, tolerating null. */
export function fromJson<T = unknown>(text: string | null | undefined): T | null {
  return text == null ? null : (JSON.parse(text) as T);
}
