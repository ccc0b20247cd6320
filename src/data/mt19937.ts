// numpy's legacy RandomState (MT19937) reproduced, so the paper's seeded split and draws match numpy's.

// Sources: numpy 1.24 `numpy/random/src/mt19937/{mt19937.c,randomkit.c}` (generator and seeding),
// `distributions.c` `random_interval`, `legacy-distributions.c` `legacy_gauss`, and
// `mtrand.pyx` `RandomState.shuffle` / `permutation`. Checked against numpy in test/mt19937.test.ts.
// Integers, uniforms and permutations are bit-identical. Normals can differ from numpy's by 1 ulp
// (about 3% of draws) because V8's Math.log is not glibc's log; as float32 all 200,000 checked agree.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** An indexable, writable sequence (a plain array or any typed array). */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

export class RandomState {
  private readonly mt = new Uint32Array(N);
  private pos = N;
  // legacy_gauss makes normals in pairs and caches the second one.
  private hasGauss = false;
  private gauss = 0;

  /** `np.random.RandomState(seed)` for an integer seed in [0, 2^32). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`RandomState seed must be an integer in [0, 2^32), got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      // Math.imul keeps the product modulo 2^32, as the C code's uint32 arithmetic does.
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  /** The next raw 32-bit output (mt19937_next32). */
  nextUint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform integer in [0, max] (inclusive), by numpy's masked rejection on 32-bit draws. */
  randomInterval(max: number): number {
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw new RangeError(`randomInterval max must be an integer in [0, 2^32), got ${max}`);
    }
    if (max === 0) return 0;
    // Smallest all-ones mask >= max.
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /** Legacy Fisher–Yates shuffle, exactly as `RandomState.shuffle` on a 1-d array. */
  shuffleInPlace<T>(values: MutableArrayLike<T>): void {
    for (let i = values.length - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
  }

  /** `RandomState.permutation(n)`: arange(n) shuffled. `choice(n, k, replace=False)` is its first k. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new RangeError(`permutation size must be a non-negative int32, got ${n}`);
    }
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    this.shuffleInPlace(out);
    return out;
  }

  /** `random_sample()`: a double in [0, 1) with 53 random bits. */
  randomDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `standard_normal()`: numpy's legacy polar Box–Muller with the cached second value. */
  standardNormal(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const cached = this.gauss;
      this.gauss = 0;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2.0 * this.randomDouble() - 1.0;
      x2 = 2.0 * this.randomDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * Math.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** A normal with the given stddev, redrawn while |x| > 2σ, as TF's `truncated_normal` does. */
  truncatedNormal(stddev: number): number {
    let x: number;
    do {
      x = this.standardNormal();
    } while (Math.abs(x) > 2);
    return x * stddev;
  }

  // The reference genrand twist: regenerate all 624 words of state.
  private twist(): void {
    const mt = this.mt;
    let i = 0;
    let y: number;
    for (; i < N - M; i++) {
      y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }
}
