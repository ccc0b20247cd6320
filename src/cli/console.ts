// The CLI's voice on stderr: pino log lines (JSON off a terminal, plain text on one) and an ora
// progress line on a terminal only, so stdout stays pure data and CI logs stay free of spinners.
import { pino, type Logger } from 'pino';
import ora, { type Ora } from 'ora';
import type { Progress, Reporter } from '../jobs/reporter.js';

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

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

function spinner(label: string, unit = 'iterations'): Progress {
  if (!interactive()) return { update() {}, stop() {} };
  const spin = ora({ text: label, stream: process.stderr, color: process.env.NO_COLOR ? false : 'cyan' }).start();
  active = spin;
  const started = performance.now();
  return {
    update(done, total) {
      const elapsed = (performance.now() - started) / 1000;
      const rate = done / elapsed;
      spin.text = `${label}: ${done}/${total} ${unit}, ${rate.toFixed(2)} ${unit}/s, ETA ${formatSeconds((total - done) / rate)}`;
      spin.render(); // the work between updates is synchronous, so ora's own timer would not redraw
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
    progress: spinner,
  };
}
