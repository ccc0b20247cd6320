// The learning rate per iteration: the original's --decay_schedule (original-conventions.md §4),
// lr × factor once for every listed epoch already reached. Epochs count from 0, so `epochs: [200]`
// lowers the rate for iteration 200·(iterations per epoch) onwards.
import type { OptimizerConfig } from '../config/schema.js';

export const scheduledLr = (optimizer: Pick<OptimizerConfig, 'lr' | 'schedule'>, perEpoch: number) => (iteration: number): number => {
  const epoch = Math.floor(iteration / perEpoch);
  const passed = optimizer.schedule.epochs.filter((e) => epoch >= e).length;
  return optimizer.lr * optimizer.schedule.factor ** passed;
};
