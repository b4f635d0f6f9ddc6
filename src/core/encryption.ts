import crypto from 'node:crypto';

/**
 * Encrypted param values: AES-256-GCM under keys from JOBS_ENCRYPTION_KEYS,
 * each value stored as a one-key JSON object, the envelope
 * `{"$encrypted":"v1:<keyId>:<iv>:<tag>:<ciphertext>"}` (base64 parts). The
 * plaintext is the value's JSON; the additional data binds it to the job name
 * and the param path, so a ciphertext copied to another field or another job
 * type does not decrypt. Nothing here reads the environment or the database.
 */

/** The one property of an envelope. */
export const envelopeKey = '$encrypted';

export interface Envelope {
  $encrypted: string;
}

/** Where an encrypted value belongs: its job name and its dotted path in the params. */
export interface ValueBinding {
  jobName: string;
  path: string;
}

/** A value that cannot be decrypted: names the key id and the path, never the key or the value. */
export class DecryptionError extends Error {
  constructor(message: string, readonly keyId: string | null) {
    super(message);
    this.name = 'DecryptionError';
  }
}

const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;
const ivBytes = 12;
const tagBytes = 16;

/**
 * The keys of JOBS_ENCRYPTION_KEYS: the first encrypts, every one decrypts.
 * The key bytes sit in a private field and print as their ids only
 * (console.log, JSON.stringify), so a logged config shows no key.
 */
export class Keyring {
  readonly #keys: Map<string, Buffer>;
  /** Key ids in the order given; the first is the one new values are encrypted with. */
  readonly ids: readonly string[];

  constructor(keys: readonly { id: string; key: Buffer }[]) {
    if (keys.length === 0) throw new Error('A keyring needs at least one key');
    this.#keys = new Map(keys.map(({ id, key }) => [id, key]));
    this.ids = keys.map(({ id }) => id);
  }

  get currentId(): string {
    return this.ids[0];
  }

  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  toJSON(): { keyIds: readonly string[] } {
    return { keyIds: this.ids };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Keyring(${this.ids.join(', ')})`;
  }
}

/**
 * Reads JOBS_ENCRYPTION_KEYS: comma-separated `id:key` pairs, each key 32
 * bytes as base64 (`openssl rand -base64 32`) or 64 hex digits. Throws an
 * Error whose message names the entry or key id, never the key.
 * @example parseKeyring('k2:' + 'b'.repeat(64) + ',k1:' + 'a'.repeat(64)).currentId // 'k2'
 * @example parseKeyring('k1:short') // throws: key "k1" is 4 bytes; a key must be 32 bytes ...
 */
export function parseKeyring(text: string): Keyring {
  const entries = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('it names no key: write <id>:<key>, e.g. k1:<output of openssl rand -base64 32>');
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    // The entry itself is never quoted: without its colon it may be a bare key.
    if (colon <= 0) throw new Error(`entry ${i + 1} has no key id: write <id>:<key>, e.g. k1:<output of openssl rand -base64 32>`);
    const id = entry.slice(0, colon).trim();
    if (!keyIdPattern.test(id)) throw new Error(`entry ${i + 1}: a key id (before the colon) is 1 to 32 letters, digits, _ or -`);
    return { id, key: decodeKey(id, entry.slice(colon + 1).trim()) };
  });
  const seen = new Set<string>();
  for (const { id } of keys) {
    if (seen.has(id)) throw new Error(`key id "${id}" is given twice; each key needs its own id`);
    seen.add(id);
  }
  return new Keyring(keys);
}

function decodeKey(id: string, text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : null;
  if (key === null) throw new Error(`key "${id}" is neither base64 nor hex; make one with: openssl rand -base64 32`);
  if (key.length !== 32) throw new Error(`key "${id}" is ${key.length} bytes; a key must be 32 bytes (openssl rand -base64 32, or 64 hex digits)`);
  return key;
}

/**
 * Whether a JSON value is an envelope: an object whose only property is a
 * string `$encrypted`.
 * @example isEnvelope({ $encrypted: 'v1:k1:...' }) // true
 * @example isEnvelope({ $encrypted: 'v1:k1:...', other: 1 }) // false
 */
export function isEnvelope(value: unknown): value is Envelope {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === envelopeKey && typeof (value as Envelope).$encrypted === 'string';
}

/** The additional data: version, job name and path, NUL-separated (neither can hold a NUL). */
function additionalData(binding: ValueBinding): Buffer {
  return Buffer.from(`fluent-jobs-param\u0000v1\u0000${binding.jobName}\u0000${binding.path}`);
}

/**
 * Encrypts a JSON value with the keyring's first key, bound to its job name and path.
 * @example sealValue(keyring, 'sk_live_1', { jobName: 'charge', path: 'apiKey' }) // { $encrypted: 'v1:k1:...' }
 */
export function sealValue(keyring: Keyring, value: unknown, binding: ValueBinding): Envelope {
  const id = keyring.currentId;
  const iv = crypto.randomBytes(ivBytes);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyring.key(id)!, iv, { authTagLength: tagBytes });
  cipher.setAAD(additionalData(binding));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64'));
  return { $encrypted: ['v1', id, ...parts].join(':') };
}

/**
 * The key id an envelope names, or null if it is not a v1 envelope.
 * @example envelopeKeyId({ $encrypted: 'v1:k1:aaa:bbb:ccc' }) // 'k1'
 */
export function envelopeKeyId(envelope: Envelope): string | null {
  const parts = envelope.$encrypted.split(':');
  return parts.length === 5 && parts[0] === 'v1' && keyIdPattern.test(parts[1]) ? parts[1] : null;
}

/**
 * Decrypts an envelope made by sealValue for the same binding. Throws a
 * DecryptionError when the keyring lacks its key id or the key does not
 * authenticate it (another key under that id, a changed ciphertext, another
 * path or job name).
 * @example openValue(keyring, sealValue(keyring, { n: 1 }, binding), binding) // { n: 1 }
 */
export function openValue(keyring: Keyring | null, envelope: Envelope, binding: ValueBinding): unknown {
  const where = `params.${binding.path}`;
  const id = envelopeKeyId(envelope);
  const [iv, tag, ciphertext] = envelope.$encrypted.split(':').slice(2).map((p) => Buffer.from(p, 'base64'));
  if (id === null || iv.length !== ivBytes || tag.length !== tagBytes) {
    throw new DecryptionError(`Cannot decrypt ${where}: it is not a v1 encrypted value ("v1:<keyId>:<iv>:<tag>:<ciphertext>")`, id);
  }
  if (!keyring) throw new DecryptionError(`Cannot decrypt ${where}: it is encrypted with key "${id}", and JOBS_ENCRYPTION_KEYS is not set`, id);
  const key = keyring.key(id);
  if (!key) {
    throw new DecryptionError(`Cannot decrypt ${where}: it is encrypted with key "${id}", which JOBS_ENCRYPTION_KEYS does not hold (it has ${keyring.ids.map((k) => `"${k}"`).join(', ')})`, id);
  }
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    decipher.setAAD(additionalData(binding));
    decipher.setAuthTag(tag);
    const text = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    return JSON.parse(text);
  } catch {
    throw new DecryptionError(
      `Cannot decrypt ${where} with key "${id}": it does not authenticate (the ciphertext was changed or copied from another param or job type, or "${id}" now names another key)`, id,
    );
  }
}
