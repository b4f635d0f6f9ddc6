import { isEnvelope } from '../../../core/encryption';

/** What a masked value is shown as. */
export const redacted = '[redacted]';

/** What a value stored encrypted (a class's `static encrypt`) is shown as. */
export const encrypted = '[encrypted]';

/**
 * A copy of a JSON value whose encrypted values (`{"$encrypted": "..."}`)
 * hold "[encrypted]", and whose properties named in `keys` (compared
 * case-insensitively) hold "[redacted]", at any depth, inside arrays too; an
 * encrypted value under a masked key still says it is encrypted. Other values
 * are copied as they are.
 * @example redact({ to: 'a@b.c', auth: { apiKey: 'k' } }, ['apikey']) // { to: 'a@b.c', auth: { apiKey: '[redacted]' } }
 * @example redact([{ Password: 'p' }], ['password']) // [{ Password: '[redacted]' }]
 * @example redact({ card: { number: { $encrypted: 'v1:k1:...' } } }, []) // { card: { number: '[encrypted]' } }
 */
export function redact(value: unknown, keys: readonly string[]): unknown {
  const masked = new Set(keys.map((k) => k.toLowerCase()));
  const walk = (v: unknown): unknown => {
    if (isEnvelope(v)) return encrypted;
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    // fromEntries defines own properties, so a "__proto__" key stays a plain key.
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isEnvelope(x) ? encrypted : masked.has(k.toLowerCase()) ? redacted : walk(x)]));
  };
  return walk(value);
}
