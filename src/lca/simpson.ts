// Composite Simpson quadrature of the gradient along one straight segment θ_t → θ_{t+1}, by
// running sums so that doubling the number of intervals reuses every gradient already taken.
//
// With n intervals the weights are (1, 4, 2, 4, …, 2, 4, 1)/(3n) at s = 0, 1/n, …, 1 (n = 2 is the
// paper's (1,4,1)/6 rule, which it calls RK4). When n doubles, every old point becomes an even
// point (weight 2, or 1 at the ends) and the new midpoints are the odd points (weight 4), so three
// sums (ends, even interior, odd) are all the state needed: memory 3·K whatever n is.

/** Unnormalised composite Simpson weights for n intervals (n even): they sum to 3n. */
export function simpsonWeights(n: number): Float64Array {
  if (n < 2 || n % 2 !== 0) throw new RangeError(`Simpson needs an even number of intervals, got ${n}`);
  const w = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) w[j] = j === 0 || j === n ? 1 : j % 2 === 1 ? 4 : 2;
  return w;
}

export type Vector = ArrayLike<number>;

export class SimpsonAccumulator {
  private readonly ends: Float64Array;
  private readonly even: Float64Array;
  private readonly odd: Float64Array;
  private intervals = 0;

  constructor(readonly size: number) {
    this.ends = new Float64Array(size);
    this.even = new Float64Array(size);
    this.odd = new Float64Array(size);
  }

  get n(): number {
    return this.intervals;
  }

  /** Starts a segment with the gradients at s = 0 and s = 1 and the midpoint (n = 2). */
  start(atStart: Vector, atMid: Vector, atEnd: Vector): void {
    for (let i = 0; i < this.size; i++) this.ends[i] = atStart[i] + atEnd[i];
    this.even.fill(0);
    this.odd.set(atMid as ArrayLike<number>);
    this.intervals = 2;
  }

  /** Fractions s at which `refine` needs gradients: the midpoints of the current n intervals. */
  nextPoints(): number[] {
    const n = this.intervals;
    return Array.from({ length: n }, (_, j) => (2 * j + 1) / (2 * n));
  }

  /** Doubles n: the old points become even points; the new midpoints follow via `addMidpoint`. */
  beginRefinement(): void {
    for (let i = 0; i < this.size; i++) this.even[i] += this.odd[i];
    this.odd.fill(0);
    this.intervals *= 2;
  }

  /** Adds the gradient at one of the points `nextPoints()` listed before `beginRefinement`. */
  addMidpoint(gradient: Vector): void {
    for (let i = 0; i < this.size; i++) this.odd[i] += gradient[i];
  }

  /** ḡ = Σ_j w_j g(s_j) / (3n), the average gradient along the segment. */
  average(out = new Float64Array(this.size)): Float64Array {
    const scale = 1 / (3 * this.intervals);
    for (let i = 0; i < this.size; i++) out[i] = (this.ends[i] + 2 * this.even[i] + 4 * this.odd[i]) * scale;
    return out;
  }
}
