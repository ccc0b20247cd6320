// Per-layer training (original-conventions.md §9): frozen variables, and groups of variables trained
// by a second optimizer of the same type at a constant lr (the original's opt2). As in the original,
// once freezing starts (iteration ≥ freeze.from_iteration) the main optimizer alone trains every
// variable but the frozen ones, groups included ("freeze wins"); before that, each group has its own
// optimizer and state, and the main one (with the lr schedule) trains the rest.
import type { TrainConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { layerOf, type VariableSlot } from '../models/network.js';
import { compileGlob } from '../util/glob.js';
import { rangedOptimizerFor, type Optimizer, type RangedOptimizer, type Ranges } from './optimizers.js';
import { scheduledLr } from './schedule.js';

export interface Updater extends Optimizer {
  /** Steps taken so far, which is the iteration the next step makes. */
  iteration: number;
  /** The main optimizer, then one per group: their state is what a checkpoint keeps. */
  readonly optimizers: readonly RangedOptimizer[];
}

/** Indices of the variables whose name, or layer name, matches one of `patterns`; each pattern must match something. */
export function matchVariables(patterns: readonly string[], slots: readonly VariableSlot[], where: string, model: string): Set<number> {
  const chosen = new Set<number>();
  for (const pattern of patterns) {
    const glob = compileGlob(pattern, where);
    const hits = slots.flatMap((s, k) => (glob.test(s.name) || glob.test(layerOf(s.name)) ? [k] : []));
    if (hits.length === 0) {
      throw new UsageError(`${where}: ${JSON.stringify(pattern)} matches no variable of ${model} (${slots.map((s) => s.name).join(', ')})`);
    }
    for (const k of hits) chosen.add(k);
  }
  return chosen;
}

const rangesOf = (slots: readonly VariableSlot[], keep: (k: number) => boolean): Ranges =>
  slots.flatMap((s, k) => (keep(k) ? [[s.offset, s.offset + s.size] as const] : []));

/** Which variables are frozen and which group owns which variable; a UsageError for a glob that matches nothing or a variable in two groups. */
export function planLayers(config: TrainConfig, slots: readonly VariableSlot[]): { frozen: Set<number>; owner: Map<number, number> } {
  const frozen = matchVariables(config.freeze.variables, slots, 'freeze.variables', config.model);
  const owner = new Map<number, number>(); // variable → group
  config.groups.forEach((group, g) => {
    for (const k of matchVariables(group.variables, slots, `groups[${g}].variables`, config.model)) {
      if (owner.has(k)) throw new UsageError(`groups[${g}].variables: ${slots[k].name} is already in groups[${owner.get(k)}]`);
      owner.set(k, g);
    }
  });
  return { frozen, owner };
}

export function updaterFor(config: TrainConfig, slots: readonly VariableSlot[], perEpoch: number): Updater {
  const size = slots.reduce((n, s) => n + s.size, 0);
  const { frozen, owner } = planLayers(config, slots);
  const groups = config.groups.map((group) => ({
    lr: group.lr,
    optimizer: rangedOptimizerFor(config.optimizer, size, group.momentum ?? config.optimizer.momentum),
  }));
  const groupRanges = groups.map((_, g) => rangesOf(slots, (k) => owner.get(k) === g));
  const mainRanges = rangesOf(slots, (k) => !owner.has(k));
  const unfrozenRanges = rangesOf(slots, (k) => !frozen.has(k));
  const main = rangedOptimizerFor(config.optimizer, size);
  const lr = scheduledLr(config.optimizer, perEpoch);
  const updater: Updater = {
    iteration: 0,
    optimizers: [main, ...groups.map((g) => g.optimizer)],
    step(theta, gradient) {
      const t = updater.iteration++;
      if (frozen.size > 0 && t >= config.freeze.from_iteration) {
        main.apply(theta, gradient, lr(t), unfrozenRanges);
        return;
      }
      main.apply(theta, gradient, lr(t), mainRanges);
      groups.forEach((g, k) => g.optimizer.apply(theta, gradient, g.lr, groupRanges[k]));
    },
  };
  return updater;
}
