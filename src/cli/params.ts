import { JobsError } from '../core/errors';

/**
 * Job params from `--param k=v` pairs (dotted keys nest; numbers, booleans
 * and null are parsed; values starting with { [ or " are read as JSON) and an
 * optional `--params '<json object>'` they are merged onto.
 * @example paramsFromArgs(['steps=3', 'user.name=ada', 'dry=true']) // { steps: 3, user: { name: 'ada' }, dry: true }
 */
export function paramsFromArgs(pairs: string[] = [], json?: string): Record<string, unknown> {
  const params: Record<string, unknown> = json === undefined ? {} : parseJsonObject(json);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new JobsError('usage', `--param takes key=value, got "${pair}"`);
    const path = pair.slice(0, eq).split('.');
    if (path.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')) {
      throw new JobsError('usage', `Invalid param key "${pair.slice(0, eq)}"`);
    }
    setPath(params, path, parseValue(pair.slice(eq + 1), pair));
  }
  return params;
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JobsError('invalid_params', `--params is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JobsError('invalid_params', '--params must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function parseValue(raw: string, pair: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(raw)) return Number(raw);
  if (/^[[{"]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw new JobsError('invalid_params', `--param ${pair}: the value is not valid JSON (${(error as Error).message})`);
    }
  }
  return raw;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}
