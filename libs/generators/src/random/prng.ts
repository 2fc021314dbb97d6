/**
 * Deterministic randomness for the synthetic bank.
 *
 * The generator never calls `Math.random`. Every sub-generator draws from its own stream,
 * derived from the root seed and a path of names (`streams.for('typology', 'cycle')`), so that
 * adding a typology or drawing one more number in one place never shifts the numbers of any
 * other place. The bit generator is xoshiro128** (Blackman and Vigna, 2018), seeded through
 * splitmix32 from a 128-bit hash of the seed and the path.
 */

/** 32-bit FNV-1a over a string, used to turn stream names into numbers. */
function fnv1a(text: string, basis: number): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** splitmix32: spreads one 32-bit number into well-mixed state words. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [next, (z ^ (z >>> 16)) >>> 0];
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const TWO_POW_32 = 4294967296;

/** One independent stream of pseudo-random numbers with the helpers the generator needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Cached second value of the Box-Muller pair. */
  private spareNormal: number | undefined;

  constructor(seedWords: readonly [number, number, number, number]) {
    [this.a, this.b, this.c, this.d] = seedWords.map((w) => w >>> 0) as [
      number,
      number,
      number,
      number,
    ];
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // xoshiro must not start at all zeros
  }

  /** A stream for a seed and a path of names; the same inputs always give the same stream. */
  static for(seed: number, ...path: readonly (string | number)[]): Rng {
    const key = path.map(String).join('\u0000');
    let state = fnv1a(key, (0x811c9dc5 ^ seed) >>> 0) ^ Math.imul(seed >>> 0, 0x27d4eb2d);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(state);
      state = next ^ fnv1a(key, out);
      words.push(out);
    }
    return new Rng(words as [number, number, number, number]);
  }

  /** Next unsigned 32-bit integer (xoshiro128**). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (max < min) throw new RangeError(`int(min, max): max ${max} is below min ${min}`);
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** Uniform real number in [min, max). */
  between(min: number, max: number): number {
    return min + this.float() * (max - min);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick(): the list is empty');
    return items[Math.floor(this.float() * items.length)];
  }

  /** Picks from `[value, weight]` pairs in proportion to the weights. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of choices) total += weight;
    let point = this.float() * total;
    for (const [value, weight] of choices) {
      point -= weight;
      if (point < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (!last) throw new RangeError('weighted(): no choices');
    return last[0];
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u = this.float();
    while (u === 0) u = this.float();
    const v = this.float();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Poisson count with mean `lambda` (inversion for small means, normal approximation above 30). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let count = 0;
    let product = this.float();
    while (product > limit) {
      count++;
      product *= this.float();
    }
    return count;
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /**
   * `count` distinct items in random order (count is capped at the list length). A partial
   * Fisher-Yates shuffle over a sparse map of swapped positions: it never copies the list, so
   * drawing a few items from a population of millions stays cheap.
   */
  sample<T>(items: readonly T[], count: number): T[] {
    const n = items.length;
    const k = Math.min(count, n);
    const swapped = new Map<number, number>();
    const out: T[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.float() * (n - i));
      const atJ = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      out.push(items[atJ]);
    }
    return out;
  }

  /** Lower-case hexadecimal string of `length` characters. */
  hex(length: number): string {
    let text = '';
    while (text.length < length) text += this.nextU32().toString(16).padStart(8, '0');
    return text.slice(0, length);
  }
}

/** Hands out named streams for one seed. */
export class RandomStreams {
  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be a whole number between 0 and 4294967295, got ${seed}`);
    }
  }

  for(...path: readonly (string | number)[]): Rng {
    return Rng.for(this.seed, ...path);
  }
}
