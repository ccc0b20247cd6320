// `lca analyze --report overfitting|freeze`: the folds of analyze/overfitting.ts and analyze/freeze.ts
// over an opened run, with what each needs beyond the LCA matrix (validation columns, FLOPs per layer).
import { freezePoints } from '../analyze/freeze.js';
import { layersFold } from '../analyze/layers.js';
import { overfitting, overfittingFold } from '../analyze/overfitting.js';
import { InputError } from '../errors.js';
import { MODEL_NAMES, type TrainConfig } from '../config/schema.js';
import { freezeReport, overfittingReport } from '../report/act.js';
import type { Report } from '../report/format.js';
import { valVariableColumn } from '../store/lca-parts.js';
import { trainConfig, type Manifest } from '../store/manifest.js';
import type { OpenRun } from './analyze.js';

export async function overfittingAnalysis(open: OpenRun): Promise<Report> {
  if (!open.computed.settings.val) throw new InputError(`${open.where.run}: --report overfitting needs the validation LCA; run \`lca compute --run ${open.where.run} --val --force\``);
  try {
    return overfittingReport(overfitting(await open.fold(overfittingFold(open.selection, valVariableColumn))), open.where);
  } catch (err) {
    // Parts computed with --val before the per-variable validation sums existed hold only val_lca_sum.
    if (err instanceof InputError && / no column val\//.test(err.message)) {
      throw new InputError(`${err.message}: these parts predate per-layer validation LCA; rerun \`lca compute --run ${open.where.run} --val --force\``);
    }
    throw err;
  }
}

/** The training config of a run `lca train` made (architecture and batch size), else null (imported or generated runs). */
const trainedConfig = (manifest: Manifest): TrainConfig | null => {
  const config = trainConfig(manifest);
  return config && MODEL_NAMES.includes(config.model) ? config : null;
};

/** Freeze needs the architecture (for FLOPs) and the batch size, which runs `lca train` made record. */
export const canFreeze = (manifest: Manifest): boolean => trainedConfig(manifest) !== null;

export async function freezeAnalysis(open: OpenRun, band: number): Promise<Report> {
  const config = trainedConfig(open.computed.manifest);
  if (!config) throw new InputError(`${open.where.run}: --report freeze needs the run's architecture and batch size, which only runs made by \`lca train\` record`);
  const { networkNamed } = await import('../models/registry.js'); // the shapes come from the architecture tables (loads TF.js)
  const { stepFlops, variableFlops } = await import('../models/flops.js');
  const flops = variableFlops(networkNamed(config.model));
  const { selection } = open;
  const costs = selection.groups.map((g) => {
    const members = g.members.map((k) => flops[selection.source[k]]);
    return {
      parameterGradient: members.reduce((a, f) => a + f.parameterGradient, 0),
      withInputGradient: members.reduce((a, f) => a + f.parameterGradient + f.inputGradient, 0),
    };
  });
  const layers = await open.fold(layersFold(selection));
  const result = freezePoints({
    layers: layers.layers.map((l) => l.name), iterations: layers.iterations, end: layers.end, series: layers.series, costs,
    batchSize: config.batch_size, stepFlopsPerExample: stepFlops(flops), band,
  });
  return freezeReport(result, band, { ...open.where, batch_size: config.batch_size });
}
