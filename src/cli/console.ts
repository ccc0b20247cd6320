// The CLI's voice on stderr: pino log lines (JSON off a terminal, plain text on one); progress is an
// ora spinner on a terminal and periodic JSON lines elsewhere, so stdout stays pure data.
import { pino, type Logger } from 'pino';
import ora, { type Ora } from 'ora';
import type { Progress, Reporter } from '../jobs/reporter.js';
import { describeProgress, progressLines } from '../jobs/progress-line.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// A terminal without a width (e.g. under `script` with no real terminal) would make ora
// redraw an unbounded number of lines, so it counts as non-interactive.
const interactive = (): boolean =>
  !!process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 && !process.env.CI && process.env.TERM !== 'dumb';

// The spinner on screen, if any: a log line clears it first and redraws it after, so the two do not
// mix on one line (`compute --workers` logs while its progress line runs).
let active: Ora | null = null;

export function createLogger(level: LogLevel): Logger {
  if (!interactive()) return pino({ level, base: undefined }, pino.destination({ dest: 2, sync: true }));
  const human = {
    write(line: string) {
      const entry = JSON.parse(line) as { level: number; msg: string };
      const tag = entry.level >= 50 ? 'error: ' : entry.level >= 40 ? 'warning: ' : '';
      active?.clear();
      process.stderr.write(`${tag}${entry.msg}\n`);
      active?.render();
    },
  };
  return pino({ level, base: undefined }, human);
}

// Off a terminal, progress is a JSON line every LCA_PROGRESS_SECONDS (default 5; 0 = every step).
function progressInterval(): number {
  const seconds = Number(process.env.LCA_PROGRESS_SECONDS ?? 5);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 5;
}

function spinner(log: Logger, label: string, unit = 'iterations'): Progress {
  if (!interactive()) return progressLines(label, unit, progressInterval(), () => performance.now() / 1000, (message, fields) => log.info(fields, message));
  const spin = ora({ text: label, stream: process.stderr, color: process.env.NO_COLOR ? false : 'cyan' }).start();
  active = spin;
  const started = performance.now();
  let [done, total] = [0, 0];
  let detail: Record<string, number> = {};
  const redraw = () => {
    spin.text = describeProgress(label, unit, done, total, (performance.now() - started) / 1000, detail).message;
    spin.render(); // the work between updates is synchronous, so ora's own timer would not redraw
  };
  return {
    update(d, t) {
      [done, total] = [d, t];
      redraw();
    },
    pulse(more) {
      detail = { ...detail, ...more };
      redraw();
    },
    stop: () => {
      spin.stop();
      active = null;
    },
  };
}

export function reporterFor(log: Logger): Reporter {
  return {
    info: (message, fields) => log.info(fields ?? {}, message),
    debug: (message, fields) => log.debug(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    progress: (label, unit) => spinner(log, label, unit),
  };
}
