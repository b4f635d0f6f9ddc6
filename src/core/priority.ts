import { JobsError } from './errors';

/** Named priorities; any integer is allowed too. Higher runs first. */
export const namedPriorities = { critical: 10, high: 5, normal: 0, low: -5 } as const;
export type PriorityName = keyof typeof namedPriorities;
export type Priority = PriorityName | number;

/**
 * @example parsePriority('high') // 5
 * @example parsePriority('-3') // -3
 */
export function parsePriority(value: Priority | string | undefined, fallback = 0): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
  } else if (value in namedPriorities) {
    return namedPriorities[value as PriorityName];
  } else if (/^-?\d+$/.test(value.trim())) {
    return Number.parseInt(value, 10);
  }
  throw new JobsError(
    'bad_request',
    `Invalid priority "${value}": use critical, high, normal, low or an integer`,
  );
}

/** @example priorityLabel(5) // 'high' */
export function priorityLabel(priority: number): string {
  const named = Object.entries(namedPriorities).find(([, v]) => v === priority);
  return named ? named[0] : String(priority);
}
