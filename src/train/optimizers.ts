// SGD with heavy-ball momentum, Adam and RMSprop in their TF1 forms (original-conventions.md §4), as
// pure updates of a flat float32 θ sharing one skeleton: per-parameter slots, a step count, and a
// rule giving each parameter's step. Every operation rounds to float32, as TF does.
import type { OptimizerConfig } from '../config/schema.js';

const f = Math.fround;

export interface Optimizer {
  /** θ ← θ − update(gradient); `gradient` is the minibatch mean gradient in θ's layout. */
  step(theta: Float32Array, gradient: ArrayLike<number>): void;
}

/** What a checkpoint must keep of an optimizer: its step count and its slots ([size] each). */
export interface OptimizerState {
  steps: number;
  slots: Float32Array[];
}

/** [start, end) ranges of θ an update touches (a variable is one contiguous range). */
export type Ranges = readonly (readonly [number, number])[];

/** One optimizer's rule: its slots' initial values and the amount to subtract from θ_i. */
interface UpdateRule {
  slotInits: readonly number[];
  /**
   * For step t (1-based) at learning rate lr: a function that updates parameter i's slots for
   * gradient g and returns its step (θ_i ← θ_i − step). A closure over the step's scalars and the
   * slot arrays keeps the per-parameter call monomorphic and free of allocation.
   */
  begin(t: number, lr: number, slots: Float32Array[]): (g: number, i: number) => number;
}

/** An optimizer that applies to chosen ranges at a learning rate given per step (for schedules and per-layer groups). */
export interface RangedOptimizer {
  apply(theta: Float32Array, gradient: ArrayLike<number>, lr: number, ranges: Ranges): void;
  readonly state: OptimizerState;
}

/** The one update skeleton: count the step (TF1 counts every apply, whatever its var_list), then update each parameter in range. */
function ranged(rule: UpdateRule, size: number): RangedOptimizer {
  const state: OptimizerState = { steps: 0, slots: rule.slotInits.map((init) => new Float32Array(size).fill(init)) };
  return {
    state,
    apply(theta, gradient, lr, ranges) {
      const update = rule.begin(++state.steps, lr, state.slots);
      for (const [start, end] of ranges) {
        for (let i = start; i < end; i++) theta[i] = f(theta[i] - update(f(gradient[i]), i));
      }
    },
  };
}

/** tf.train.MomentumOptimizer: a ← m·a + g; θ ← θ − lr·a (no Nesterov, no dampening). */
const sgdRule = (momentum: number): UpdateRule => ({
  slotInits: [0],
  begin(_t, lr, [a]) {
    const [rate, m] = [f(lr), f(momentum)];
    return (g, i) => {
      const ai = f(f(m * a[i]) + g);
      a[i] = ai;
      return f(rate * ai);
    };
  },
});

/**
 * tf.train.AdamOptimizer: lr_t = lr·√(1−β2^t)/(1−β1^t); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * θ ← θ − lr_t·m/(√v + ε), with ε outside the bias correction (the TF1 form).
 */
const adamRule = (beta1: number, beta2: number, epsilon: number): UpdateRule => {
  const [b1, b2, eps] = [f(beta1), f(beta2), f(epsilon)];
  return {
    slotInits: [0, 0],
    begin(t, lr, [m, v]) {
      const lrT = f((f(lr) * f(Math.sqrt(f(1 - f(b2 ** t))))) / f(1 - f(b1 ** t)));
      return (g, i) => {
        const mi = f(f(b1 * m[i]) + f(f(1 - b1) * g));
        const vi = f(f(b2 * v[i]) + f(f(1 - b2) * f(g * g)));
        m[i] = mi;
        v[i] = vi;
        return f(f(lrT * mi) / f(f(Math.sqrt(vi)) + eps));
      };
    },
  };
};

/**
 * tf.train.RMSPropOptimizer (non-centered): ms ← ρ·ms + (1−ρ)·g²; mom ← μ·mom + lr·g/√(ms + ε);
 * θ ← θ − mom. TF1 initialises `ms` to 1, not 0 (§4), and puts ε inside the square root.
 */
const rmspropRule = (decay: number, momentum: number, epsilon: number): UpdateRule => {
  const [rho, mu, eps] = [f(decay), f(momentum), f(epsilon)];
  return {
    slotInits: [1, 0],
    begin(_t, lr, [ms, mom]) {
      const rate = f(lr);
      return (g, i) => {
        const msi = f(f(rho * ms[i]) + f(f(1 - rho) * f(g * g)));
        const momi = f(f(mu * mom[i]) + f(f(rate * g) / f(Math.sqrt(f(msi + eps)))));
        ms[i] = msi;
        mom[i] = momi;
        return momi;
      };
    },
  };
};

const ruleFor = (config: OptimizerConfig, momentum = config.momentum): UpdateRule => {
  switch (config.name) {
    case 'sgd': return sgdRule(momentum);
    case 'adam': return adamRule(config.beta1, config.beta2, config.epsilon);
    case 'rmsprop': return rmspropRule(config.decay, momentum, config.epsilon);
  }
};

/** The configured optimizer over `size` parameters; `momentum` overrides the config's (per-layer groups). */
export const rangedOptimizerFor = (config: OptimizerConfig, size: number, momentum?: number): RangedOptimizer =>
  ranged(ruleFor(config, momentum), size);

/** A whole-θ optimizer at a constant learning rate. */
function whole(rule: UpdateRule, size: number, lr: number): Optimizer {
  const core = ranged(rule, size);
  const all: Ranges = [[0, size]];
  return { step: (theta, gradient) => core.apply(theta, gradient, lr, all) };
}

export const sgd = (size: number, lr: number, momentum: number): Optimizer => whole(sgdRule(momentum), size, lr);
export const adam = (size: number, lr: number, beta1: number, beta2: number, epsilon: number): Optimizer =>
  whole(adamRule(beta1, beta2, epsilon), size, lr);
export const rmsprop = (size: number, lr: number, decay: number, momentum: number, epsilon: number): Optimizer =>
  whole(rmspropRule(decay, momentum, epsilon), size, lr);
