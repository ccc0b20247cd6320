// SGD with heavy-ball momentum and Adam, in their TF1 forms (original-conventions.md §4), as pure
// updates of a flat float32 θ. Each step rounds to float32 after every operation, as TF does.
import type { OptimizerConfig } from '../config/schema.js';

const f = Math.fround;

export interface Optimizer {
  /** θ ← θ − update(gradient); `gradient` is the minibatch mean gradient in θ's layout. */
  step(theta: Float32Array, gradient: ArrayLike<number>): void;
}

/** tf.train.MomentumOptimizer: a ← m·a + g; θ ← θ − lr·a (no Nesterov, no dampening). */
export function sgd(size: number, lr: number, momentum: number): Optimizer {
  const accumulator = new Float32Array(size);
  const rate = f(lr);
  const m = f(momentum);
  return {
    step(theta, gradient) {
      for (let i = 0; i < size; i++) {
        const a = f(f(m * accumulator[i]) + f(gradient[i]));
        accumulator[i] = a;
        theta[i] = f(theta[i] - f(rate * a));
      }
    },
  };
}

/**
 * tf.train.AdamOptimizer: lr_t = lr·√(1−β2^t)/(1−β1^t); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * θ ← θ − lr_t·m/(√v + ε), with ε outside the bias correction (the TF1 form).
 */
export function adam(size: number, lr: number, beta1: number, beta2: number, epsilon: number): Optimizer {
  const m = new Float32Array(size);
  const v = new Float32Array(size);
  const [b1, b2, eps] = [f(beta1), f(beta2), f(epsilon)];
  let t = 0;
  return {
    step(theta, gradient) {
      t++;
      const lrT = f(f(lr) * f(Math.sqrt(f(1 - f(b2 ** t)))) / f(1 - f(b1 ** t)));
      for (let i = 0; i < size; i++) {
        const g = f(gradient[i]);
        const mi = f(f(b1 * m[i]) + f(f(1 - b1) * g));
        const vi = f(f(b2 * v[i]) + f(f(1 - b2) * f(g * g)));
        m[i] = mi;
        v[i] = vi;
        theta[i] = f(theta[i] - f(f(lrT * mi) / f(f(Math.sqrt(vi)) + eps)));
      }
    },
  };
}

export function optimizerFor(config: OptimizerConfig, size: number): Optimizer {
  return config.name === 'sgd'
    ? sgd(size, config.lr, config.momentum)
    : adam(size, config.lr, config.beta1, config.beta2, config.epsilon);
}
