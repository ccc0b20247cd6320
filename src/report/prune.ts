// `lca prune`'s check as a report: per kept fraction and mask, the losses of θ_T with the mask
// applied, random masks as mean ± sample std. Column names are stable (docs/formats.md).
import type { Cell, Report } from './format.js';

export interface PruneCheck {
  keep: number;
  /** none (θ_T itself), total-help, recent-help, magnitude or random. */
  mask: string;
  kept: number;
  masks: number;
  train: { mean: number; std: number };
  val: { mean: number; std: number };
  /** This mask is the one in --out. */
  written: boolean;
}

export function pruneReport(checks: PruneCheck[], context: Record<string, Cell>, summary: { parameters: number; seed: number }): Report {
  const full = checks.find((c) => c.mask === 'none');
  return {
    report: 'prune',
    context,
    summary: { parameters: summary.parameters, seed: summary.seed, train_loss: full?.train.mean ?? null, val_loss: full?.val.mean ?? null },
    tables: [{
      name: 'check',
      columns: ['keep', 'mask', 'kept', 'masks', 'train_loss', 'train_loss_std', 'val_loss', 'val_loss_std', 'written'],
      rows: checks.map((c) => [c.keep, c.mask, c.kept, c.masks, c.train.mean, c.masks > 1 ? c.train.std : null, c.val.mean, c.masks > 1 ? c.val.std : null, +c.written]),
    }],
  };
}
