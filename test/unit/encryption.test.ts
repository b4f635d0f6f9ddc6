import crypto from 'node:crypto';
import util from 'node:util';
import { describe, expect, it } from 'vitest';
import { DecryptionError, isEnvelope, openValue, parseKeyring, sealValue, type Envelope } from '@/core/encryption';
import { parseConfig as parseEnv } from '@/config/env';
import { redact } from '@/lib/jobs/json';
import { checkKeysFor, encryptedPathsOf, openParams, sealParams } from '@/lib/jobs/encrypted-params';
import { Job, JobRegistry } from '@/lib/jobs';

const parseConfig = (env: Record<string, string>) => parseEnv(env as unknown as NodeJS.ProcessEnv);
const keyA = crypto.randomBytes(32).toString('base64');
const keyB = crypto.randomBytes(32).toString('hex');
const ringA = parseKeyring(`A:${keyA}`);
const ringBA = parseKeyring(`B:${keyB},A:${keyA}`);
const binding = { jobName: 'charge', path: 'card.number' };

/** The error a function throws, for asserting on its message. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('it did not throw');
}

describe('JOBS_ENCRYPTION_KEYS', () => {
  it('reads id:key pairs, base64 or hex; the first encrypts', () => {
    expect(ringBA.ids).toEqual(['B', 'A']);
    expect(ringBA.currentId).toBe('B');
    expect(ringBA.key('A')).toEqual(Buffer.from(keyA, 'base64'));
    expect(ringBA.key('B')).toEqual(Buffer.from(keyB, 'hex'));
    expect(parseConfig({ JOBS_ENCRYPTION_KEYS: ` k1:${keyA} , ` }).encryptionKeys?.ids).toEqual(['k1']);
    expect(parseConfig({}).encryptionKeys).toBeNull();
  });

  it('refuses a key of the wrong length, an entry without an id and an id given twice, quoting no key', () => {
    const short = crypto.randomBytes(16).toString('base64');
    const cases: [string, RegExp][] = [
      [`k1:${short}`, /JOBS_ENCRYPTION_KEYS: key "k1" is 16 bytes; a key must be 32 bytes/],
      [keyA, /JOBS_ENCRYPTION_KEYS: entry 1 has no key id: write <id>:<key>/],
      [`k1:${keyA},:${keyA}`, /entry 2 has no key id/],
      [`k1:${keyA},k1:${keyB}`, /key id "k1" is given twice/],
      [`k1:not base64!`, /key "k1" is neither base64 nor hex/],
      [`${keyA}:k1`, /entry 1: a key id \(before the colon\) is 1 to 32 letters/],
    ];
    for (const [value, message] of cases) {
      const error = thrown(() => parseConfig({ JOBS_ENCRYPTION_KEYS: value }));
      expect(error.message).toMatch(message);
      expect(error).toMatchObject({ code: 'config' });
      for (const key of [keyA, keyB, short]) expect(error.message).not.toContain(key);
    }
  });

  it('prints a keyring as its ids only', () => {
    const config = parseConfig({ JOBS_ENCRYPTION_KEYS: `A:${keyA}` });
    for (const shown of [JSON.stringify(config), util.inspect(config, { depth: 5 }), String(config.encryptionKeys)]) {
      expect(shown).not.toContain(keyA);
      expect(shown).not.toContain(Buffer.from(keyA, 'base64').toString('hex'));
    }
    expect(JSON.stringify(config.encryptionKeys)).toBe('{"keyIds":["A"]}');
  });
});

describe('sealValue / openValue', () => {
  it('round-trips any JSON value in a v1 envelope naming the key id', () => {
    for (const value of ['4111 1111 1111 1111', 42, null, true, { a: [1, 'b'] }, [{ token: 't' }]]) {
      const sealed = sealValue(ringA, value, binding);
      expect(sealed.$encrypted).toMatch(/^v1:A:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]+$/);
      expect(isEnvelope(sealed)).toBe(true);
      expect(openValue(ringA, sealed, binding)).toEqual(value);
    }
  });

  it('uses a fresh IV each time, so one value twice gives two ciphertexts', () => {
    expect(sealValue(ringA, 'same', binding).$encrypted).not.toBe(sealValue(ringA, 'same', binding).$encrypted);
  });

  it('after a rotation (B first, A kept) opens A\'s values and seals with B', () => {
    const old = sealValue(ringA, 'sk_old', binding);
    expect(openValue(ringBA, old, binding)).toBe('sk_old');
    expect(sealValue(ringBA, 'sk_new', binding).$encrypted).toMatch(/^v1:B:/);
  });

  it('refuses a key id the keyring lacks, or no keyring, naming the id and the path', () => {
    const sealed = sealValue(ringBA, 'x', binding);
    const error = thrown(() => openValue(ringA, sealed, binding));
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error.message).toBe('Cannot decrypt params.card.number: it is encrypted with key "B", which JOBS_ENCRYPTION_KEYS does not hold (it has "A")');
    expect(thrown(() => openValue(null, sealed, binding)).message).toBe('Cannot decrypt params.card.number: it is encrypted with key "B", and JOBS_ENCRYPTION_KEYS is not set');
  });

  it('refuses a changed ciphertext, another path, another job name and another key under the same id', () => {
    const sealed = sealValue(ringA, 'secret', binding);
    const [v, id, iv, tag, ct] = sealed.$encrypted.split(':');
    const flipped = Buffer.from(ct, 'base64');
    flipped[0] ^= 1;
    const tampered: Envelope = { $encrypted: [v, id, iv, tag, flipped.toString('base64')].join(':') };
    const otherKeyA = parseKeyring(`A:${crypto.randomBytes(32).toString('base64')}`);
    const attempts = [
      () => openValue(ringA, tampered, binding),
      () => openValue(ringA, sealed, { ...binding, path: 'apiKey' }),
      () => openValue(ringA, sealed, { ...binding, jobName: 'refund' }),
      () => openValue(otherKeyA, sealed, binding),
    ];
    for (const attempt of attempts) expect(thrown(attempt).message).toMatch(/^Cannot decrypt params\.\S+ with key "A": it does not authenticate/);
  });

  it('refuses an envelope that is not v1', () => {
    expect(thrown(() => openValue(ringA, { $encrypted: 'v2:A:x:y:z' }, binding)).message).toMatch(/is not a v1 encrypted value/);
    expect(thrown(() => openValue(ringA, { $encrypted: 'nonsense' }, binding)).message).toMatch(/is not a v1 encrypted value/);
  });
});

class ChargeJob extends Job<Record<string, unknown>> {
  static jobName = 'charge';
  static encrypt = ['apiKey', 'card.number', 'recipients'];
  protected async perform() {
    return null;
  }
}

describe('the paths a class encrypts', () => {
  it('seals each listed path\'s whole value, skips a missing one, and leaves the caller\'s object as it was', () => {
    const params = { apiKey: 'sk_1', card: { number: '4111', holder: 'Ada' }, recipients: [{ token: 't1' }], note: 'hi' };
    const copy = structuredClone(params);
    const sealed = sealParams(ChargeJob, params, ringA) as Record<string, any>;
    expect(params).toEqual(copy);
    expect(isEnvelope(sealed.apiKey) && isEnvelope(sealed.card.number) && isEnvelope(sealed.recipients)).toBe(true);
    expect(sealed.card.holder).toBe('Ada');
    expect(sealed.note).toBe('hi');
    expect(Object.keys(sealed)).toEqual(['apiKey', 'card', 'recipients', 'note']);
    expect(openParams(ChargeJob, 'charge', sealed, ringA)).toEqual(params);
    expect(sealParams(ChargeJob, { apiKey: 'sk_1' }, ringA)).toMatchObject({ apiKey: { $encrypted: expect.any(String) } });
    expect(sealParams(ChargeJob, { apiKey: 'sk_1', card: null }, ringA)).toMatchObject({ card: null });
  });

  it('refuses, without keys, to seal a class that encrypts, and a path through a non-object', () => {
    expect(thrown(() => sealParams(ChargeJob, {}, null))).toMatchObject({ code: 'config', message: expect.stringMatching(/^The charge job encrypts params \(static encrypt: apiKey, card\.number, recipients\), and JOBS_ENCRYPTION_KEYS is not set/) });
    expect(thrown(() => sealParams(ChargeJob, { card: '4111' }, ringA))).toMatchObject({ code: 'invalid_params', message: 'params.card must be an object: card.number inside it is encrypted (static encrypt)' });
  });

  it('opens only the listed paths: an envelope elsewhere is data the job carries, passed on as it is', () => {
    // A webhook delivery's params carry the ended job's stored row, envelopes and all.
    const carried = sealValue(ringA, 'other job\'s key', { jobName: 'other', path: 'apiKey' });
    const params = { apiKey: sealValue(ringA, 'sk_1', { jobName: 'charge', path: 'apiKey' }), job: { params: { apiKey: carried } }, list: [carried] };
    expect(openParams(ChargeJob, 'charge', params, ringA)).toEqual({ apiKey: 'sk_1', job: { params: { apiKey: carried } }, list: [carried] });
    expect(openParams(ChargeJob, 'charge', params.job, null)).toBe(params.job);
  });

  it('leaves a listed value stored in clear (before the class listed it) as it is, and skips a path through a non-object', () => {
    const params = { apiKey: 'sk_clear', card: 'not an object' };
    expect(openParams(ChargeJob, 'charge', params, null)).toBe(params);
  });

  it('a worker whose registry encrypts refuses to start without keys, rather than fail each of those jobs', () => {
    const registry = new JobRegistry([ChargeJob]);
    expect(() => checkKeysFor(registry.list(), null)).toThrow('job "charge" encrypts params (static encrypt) but JOBS_ENCRYPTION_KEYS is not set');
    expect(() => checkKeysFor(registry.list(), ringA)).not.toThrow();
    expect(() => checkKeysFor(new JobRegistry([]).list(), null)).not.toThrow();
  });

  it('checks static encrypt when the registry is built', () => {
    const bad = (encrypt: unknown) => class extends Job { static jobName = 'bad'; static encrypt = encrypt as string[]; protected async perform() {} };
    expect(() => new JobRegistry([bad(['card', 'card.number'])])).toThrow('lists both "card" and "card.number": encrypting "card" already covers "card.number"');
    expect(() => new JobRegistry([bad(['a..b'])])).toThrow(/must list dotted param paths/);
    expect(() => new JobRegistry([bad(['a', 'a'])])).toThrow(/lists "a" twice/);
    expect(encryptedPathsOf(ChargeJob)).toEqual(['apiKey', 'card.number', 'recipients']);
  });
});

describe('the job JSON\'s masking', () => {
  const env = sealValue(ringA, 'x', binding);
  it('shows every encrypted value as "[encrypted]", at any depth, under a masked key too, with no redact keys', () => {
    expect(redact({ card: { number: env }, list: [{ deep: env }], apiKey: env, password: 'p', env }, ['apikey', 'password'])).toEqual({
      card: { number: '[encrypted]' }, list: [{ deep: '[encrypted]' }], apiKey: '[encrypted]', password: '[redacted]', env: '[encrypted]',
    });
    expect(redact({ a: env }, [])).toEqual({ a: '[encrypted]' });
    expect(redact(env, [])).toBe('[encrypted]');
  });

  it('leaves an object that merely has an $encrypted key among others', () => {
    expect(redact({ a: { $encrypted: 'x', other: 1 } }, [])).toEqual({ a: { $encrypted: 'x', other: 1 } });
  });
});

describe('openParams on what .now() may be given', () => {
  it('passes a circular object on as it is instead of walking it for ever', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(openParams(ChargeJob, 'charge', loop, ringA)).toBe(loop);
  });
});
