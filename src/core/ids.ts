import { v7 } from 'uuid';
import { JobsError } from './errors';

/** A new job id: a UUIDv7, so ids sort by creation time (and break FIFO ties). */
export function newJobId(): string {
  return v7();
}

/**
 * The form of an id shown to people: its first 8 and last 4 characters. A
 * UUIDv7 starts with its creation time, so every job of the same minute
 * shares the first 8; the last 4 are random and tell them apart.
 * @example shortJobId('019a885b-230f-7479-bb63-56f68f970aa1') // '019a885b…0aa1'
 */
export function shortJobId(id: string): string {
  return id.length <= 13 ? id : `${id.slice(0, 8)}…${id.slice(-4)}`;
}

/**
 * What a person typed to name a job, read for lookup: `prefix` and `tail`
 * with dashes where a UUID has them. A plain value (`019a885b23`) may be
 * either end (`either`); the short form (`019a885b…0aa1`, or with `...`) gives
 * both; `019a885b…` only a prefix and `…0aa1` only a tail.
 */
export type JobIdQuery =
  | { kind: 'either'; prefix: string; tail: string }
  | { kind: 'ends'; prefix: string; tail: string };

/** Characters before each dash of a UUID, counted from its start. */
const dashesFromStart = [8, 12, 16, 20];
/** Characters after each dash of a UUID, counted from its end. */
const dashesFromEnd = [12, 16, 20, 24];

/**
 * Reads an id, a prefix or tail of 4+ hex characters (dashes optional), or
 * the short form, lower-cased and with dashes where a UUID has them.
 * @example parseJobIdQuery('019A885B…0aa1') // { kind: 'ends', prefix: '019a885b', tail: '0aa1' }
 * @example parseJobIdQuery('019a885b230f') // { kind: 'either', prefix: '019a885b-230f', tail: '019a885b230f' }
 */
export function parseJobIdQuery(value: string): JobIdQuery {
  const text = value.trim().toLowerCase();
  const parts = text.split(/…|\.\.\./);
  const hexOf = (part: string) => part.replace(/-/g, '');
  const hex = parts.map(hexOf);
  const total = hex.join('').length;
  if (parts.length > 2 || !parts.every((p) => /^[0-9a-f-]*$/.test(p)) || total < 4 || hex.some((h) => h.length > 32)) {
    throw new JobsError('bad_request', `"${value}" is not a job id or a prefix of one: give 4 or more hex characters of its start or its end, or its short form (019a885b…0aa1)`);
  }
  if (parts.length === 2) return { kind: 'ends', prefix: withDashes(hex[0], dashesFromStart), tail: reverse(withDashes(reverse(hex[1]), dashesFromEnd)) };
  return { kind: 'either', prefix: withDashes(hex[0], dashesFromStart), tail: reverse(withDashes(reverse(hex[0]), dashesFromEnd)) };
}

function withDashes(hex: string, cuts: number[]): string {
  let out = '';
  for (let i = 0; i < hex.length; i++) out += (cuts.includes(i) ? '-' : '') + hex[i];
  return out;
}

const reverse = (text: string) => [...text].reverse().join('');
