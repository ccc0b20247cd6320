// `lca plot`: flags → runPlot → one PNG or SVG figure of a run (the paper's Fig. 2, 3a–d, 4, 6, …).
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Method } from '../lca/integrate.js';
import { UsageError } from '../errors.js';
import { FIGURES, FIGURE_HELP, type FigureName } from '../plot/names.js';
import { assertOutputFree, examples, forceOption, logLevelOption, methodOption, reporterFrom } from './common.js';
import type { LogLevel } from './console.js';
import { collect, parseInteger, parseIterationRange, parseNumber } from './parse.js';

interface PlotFlags {
  run: string[];
  vs?: string[];
  figure: FigureName;
  out: string;
  method?: Method;
  iteration?: number;
  iterations?: [number, number | undefined];
  layer?: string;
  clip: number;
  animate?: [number, number | undefined];
  fps: number;
  force?: boolean;
  logLevel: LogLevel;
}

function parseFps(value: string): number {
  const fps = parseNumber(value);
  if (fps <= 0 || fps > 100) throw new InvalidArgumentError('must be in (0, 100] frames per second.');
  return fps;
}

function parsePercentile(value: string): number {
  const p = parseNumber(value);
  if (p <= 0 || p > 100) throw new InvalidArgumentError('must be a percentile in (0, 100].');
  return p;
}


const FIGURE_LIST = FIGURES.map((f) => `${f}: ${FIGURE_HELP[f]}`).join('; ');

export const plotCommand = () =>
  new Command('plot')
    .description('draw one of the paper\'s figures from a run (or Fig. 4 across runs) as PNG or SVG, or a heatmap animation as GIF or MP4')
    .addHelpText('after', examples('lca plot --run runs/fc --figure layers --out layers.png', 'lca plot --run runs/fc --figure heatmap --layer fc_1 --iteration 20 --out fc_1.png'))
    .requiredOption('-r, --run <dir>', 'run directory with computed LCA; repeat for --figure layers across runs (mean ± std)', collect)
    .option('--vs <dir>', "--figure layers: a second group of runs (repeat), drawn beside the first with Welch's p-value per layer", collect)
    .addOption(new Option('--figure <name>', FIGURE_LIST).choices(FIGURES).makeOptionMandatory())
    .requiredOption('-o, --out <file>', 'output file: .png (rendered at 2×) or .svg; with --animate .gif or .mp4')
    .addOption(methodOption())
    .option('--iteration <t>', 'heatmap: the LCA of iteration t alone', parseInteger)
    .option('--iterations <a:b>', 'rows a … b−1 only (a heatmap sums them; default all computed rows)', parseIterationRange)
    .option('--layer <name>', 'heatmap: a layer (fc_1: kernel and bias) or one variable (fc_1/kernel); default the first layer')
    .option('--clip <percentile>', 'heatmap: colour scale clipped at this percentile of |LCA|', parsePercentile, 99)
    .option('--animate <a:b>', 'heatmap: one frame per iteration a … b−1 on one colour scale, as .gif (or .mp4 with ffmpeg on PATH)', parseIterationRange)
    .option('--fps <n>', 'frames per second of --animate (GIF: rounded to whole centiseconds)', parseFps, 10)
    .addOption(forceOption())
    .addOption(logLevelOption())
    .action(async (flags: PlotFlags) => {
      if (flags.iteration !== undefined && flags.iterations) throw new UsageError('--iteration and --iterations: give one of them');
      if (flags.animate && (flags.iteration !== undefined || flags.iterations)) throw new UsageError('--animate a:b sets the frames: drop --iteration and --iterations');
      if (flags.figure !== 'heatmap') {
        for (const [flag, value] of [['--iteration', flags.iteration], ['--layer', flags.layer], ['--animate', flags.animate]] as const) {
          if (value !== undefined) throw new UsageError(`${flag} applies to --figure heatmap only`);
        }
      }
      assertOutputFree(flags.out, flags.force);
      const { runPlot } = await import('../jobs/plot.js');
      const [range, animate] = [flags.iterations, flags.animate];
      await runPlot({
        runs: flags.run, vs: flags.vs, figure: flags.figure, out: flags.out, method: flags.method, layer: flags.layer, clip: flags.clip,
        iterations: flags.iteration !== undefined ? [flags.iteration, flags.iteration] : range ? [range[0], range[1] ?? Number.MAX_SAFE_INTEGER] : undefined,
        animate: animate ? [animate[0], animate[1] ?? Number.MAX_SAFE_INTEGER] : undefined, fps: flags.fps,
        reporter: reporterFrom(flags),
      });
    });
