/** What a masked value is shown as. */
export const redacted = '[redacted]';

/**
 * A copy of a JSON value whose properties named in `keys` (compared
 * case-insensitively, at any depth, inside arrays too) hold "[redacted]"
 * instead of their value, whatever it was. Other values are copied as they are.
 * @example redact({ to: 'a@b.c', auth: { apiKey: 'k' } }, ['apikey']) // { to: 'a@b.c', auth: { apiKey: '[redacted]' } }
 * @example redact([{ Password: 'p' }], ['password']) // [{ Password: '[redacted]' }]
 */
export function redact(value: unknown, keys: readonly string[]): unknown {
  if (keys.length === 0) return value;
  const masked = new Set(keys.map((k) => k.toLowerCase()));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    // fromEntries defines own properties, so a "__proto__" key stays a plain key.
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, masked.has(k.toLowerCase()) ? redacted : walk(x)]));
  };
  return walk(value);
}
