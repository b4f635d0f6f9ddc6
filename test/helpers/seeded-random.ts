/**
 * A small seeded PRNG (mulberry32) for tests whose random choices must be
 * reproducible: the same seed gives the same sequence of choices.
 */
export interface Random {
  /** A float in [0, 1). */
  (): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
  /** A shuffled copy. */
  shuffle<T>(list: readonly T[]): T[];
  /** A new generator whose sequence depends only on this seed and `label`, so that independent streams never steal each other's numbers. */
  fork(label: string): Random;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random = next as Random;
  random.int = (n) => Math.floor(next() * n);
  random.between = (min, max) => min + Math.floor(next() * (max - min + 1));
  random.pick = (list) => list[Math.floor(next() * list.length)];
  random.chance = (p) => next() < p;
  random.shuffle = (list) => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  };
  random.fork = (label) => {
    let h = seed >>> 0;
    for (const c of label) h = Math.imul(h ^ c.charCodeAt(0), 0x9e3779b1) >>> 0;
    return seededRandom(h);
  };
  return random;
}

/** The seed from `envVar` if set (to reproduce a run), else a fresh random one. */
export function seedFromEnv(envVar: string): number {
  const given = process.env[envVar];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`${envVar} must be a whole number >= 0, got ${given}`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}
