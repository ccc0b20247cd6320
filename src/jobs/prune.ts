// `lca prune`: a mask that keeps the parameters that helped most (or the largest), and its check:
// the training and validation loss of θ_T with each mask applied, beside magnitude pruning and seeded
// random masks of the same size, all evaluated by the objective `lca compute` uses (jobs/objective.ts).
import fs from 'node:fs';
import { describeBackend, type BackendChoice } from '../backend/names.js';
import { applyMask, helpFold, keptCount, magnitudeScores, meanStd, randomMask, recentFrom, topMask, type Ranking } from '../analyze/prune.js';
import { ExistsError, InputError, UsageError } from '../errors.js';
import type { Method } from '../lca/integrate.js';
import type { Report } from '../report/format.js';
import { pruneReport, type PruneCheck } from '../report/prune.js';
import { writeMaskFile, type MaskRow } from '../store/mask.js';
import { readManifest } from '../store/manifest.js';
import { readIterates } from '../store/weights.js';
import { openRun } from './analyze.js';
import { modelSource, openObjectives } from './model-source.js';
import type { Reporter } from './reporter.js';

export interface PruneOptions {
  run: string;
  /** Fractions of the K parameters to keep, each in (0, 1]; mask.arrow gets one row per fraction. */
  keep: number[];
  by: Ranking;
  method?: Method;
  /** LCA rows first … last that the help is summed over; default every computed row. */
  iterations?: [number, number];
  out: string;
  force: boolean;
  /** Random mask j uses seed + j. */
  seed: number;
  randomMasks: number;
  backend: BackendChoice;
  threads?: number;
  sessions?: number;
  dataDir?: string;
  projectRoot: string;
  reporter: Reporter;
}

export const PRUNE_DEFAULTS = { seed: 0, randomMasks: 10 };

async function finalTheta(run: string, T: number, manifest: ReturnType<typeof readManifest>): Promise<Float32Array> {
  for await (const iterate of readIterates(run, manifest, T, T)) return iterate.theta;
  throw new UsageError(`${run}: weights.arrow has no θ_${T}`);
}

export async function runPrune(options: PruneOptions): Promise<Report> {
  const { run, reporter } = options;
  for (const keep of options.keep) if (!(keep > 0 && keep <= 1)) throw new UsageError(`--keep ${keep}: must be a fraction in (0, 1]`);
  if (fs.existsSync(options.out) && !options.force) throw new ExistsError(`${options.out} already exists; pass --force to overwrite`);
  const manifest = readManifest(run);
  const T = manifest.training.iterations;
  const theta = await finalTheta(run, T, manifest);
  const K = theta.length;
  const scores = new Map<Ranking, Float64Array>([['magnitude', magnitudeScores(theta)]]);
  let where: Record<string, string | number> = { run, model: manifest.model.name, dataset: manifest.dataset.name };
  // Magnitude needs no LCA; the help rankings join its check whenever LCA was computed.
  const noLca = (err: unknown) => options.by === 'magnitude' && err instanceof InputError && /no LCA computed yet/.test(err.message);
  const open = await openRun(run, { method: options.method, iterations: options.iterations }).catch((err: unknown) => {
    if (noLca(err)) return null;
    throw err;
  });
  // Help rankings need every parameter's LCA: aggregated parts (--store layers|units) leave magnitude alone.
  const lacks = open?.computed.storeLacks('full', `prune --by ${options.by}`) ?? null;
  if (lacks && options.by !== 'magnitude') throw new InputError(lacks);
  if (lacks) reporter.warn(`${lacks}; checking magnitude and random masks only`);
  if (open && !lacks) {
    const recent = recentFrom(open.computed.range[0], open.computed.range[1]);
    const help = await open.fold(helpFold(open.selection.variables.map((v) => v.size), recent));
    scores.set('total-help', help.total).set('recent-help', help.recent);
    where = { ...open.where, recent_range: `${recent}:${open.computed.range[1] + 1}` };
  }

  const data = modelSource(run, manifest, options); // the model and data `lca compute` differentiates
  const evalBatchSize = manifest.config.eval_batch_size;
  const { backend, objectives } = await openObjectives(data, [{ set: data.train, evalBatchSize }, { set: data.val, evalBatchSize }], options);
  reporter.info(`backend ${describeBackend(backend)}`, { ...backend });
  const losses = async (mask: Uint8Array | null): Promise<[number, number]> => {
    const point = mask ? applyMask(theta, mask) : theta;
    // The objectives share compute's interface, L with ∇L: the gradient is the price of one engine for all jobs.
    return [(await objectives[0].lossAndGradient(point)).loss, (await objectives[1].lossAndGradient(point)).loss];
  };
  const checks: PruneCheck[] = [];
  const written: MaskRow[] = [];
  try {
    const [train, val] = await losses(null);
    checks.push({ keep: 1, mask: 'none', kept: K, masks: 1, train: { mean: train, std: 0 }, val: { mean: val, std: 0 }, written: false });
    for (const keep of options.keep) {
      const n = keptCount(K, keep);
      for (const [ranking, score] of scores) {
        const mask = topMask(score, n);
        const [t, v] = await losses(mask);
        checks.push({ keep, mask: ranking, kept: n, masks: 1, train: { mean: t, std: 0 }, val: { mean: v, std: 0 }, written: ranking === options.by });
        if (ranking === options.by) written.push({ keep, kept: n, mask });
      }
      const random: [number, number][] = [];
      for (let j = 0; j < options.randomMasks; j++) random.push(await losses(randomMask(K, n, options.seed + j)));
      checks.push({ keep, mask: 'random', kept: n, masks: random.length, train: meanStd(random.map((l) => l[0])), val: meanStd(random.map((l) => l[1])), written: false });
      reporter.info(`keep ${keep}: ${n} of ${K} parameters checked`, { keep, kept: n });
    }
  } finally {
    for (const o of objectives) await o.dispose();
  }
  await writeMaskFile(options.out, manifest.model.variables, written, { by: options.by, range: where.range ?? null, seed: options.seed });
  reporter.info(`wrote ${options.out}: ${written.length} mask(s) by ${options.by}`);
  return pruneReport(checks, { ...where, by: options.by, out: options.out, compute_backend: describeBackend(backend) }, { parameters: K, seed: options.seed });
}
