// Progress off a terminal: when a long job logs a progress line and what it says. A line every few
// seconds, at the first finished unit (an early rate) and the last, and whenever the job calls a
// moment notable (a long LCA row doubling its Simpson splits). Pure: the clock and the sink come in.
import type { Progress } from './reporter.js';

/** Extra facts about the work in progress, e.g. { row, splits, gradients } from `lca compute`. */
export type ProgressDetail = Record<string, number>;

export interface ProgressSink {
  (message: string, fields: Record<string, unknown>): void;
}

/** 42 → "42s", 125 → "2m05s", 7300 → "2h02m"; "?" when unknown. */
export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

const round = (x: number) => Number(x.toPrecision(4));


/** The progress line's text and its fields, `elapsed` seconds after the start. */
export function describeProgress(label: string, unit: string, done: number, total: number, elapsed: number, detail: ProgressDetail): { message: string; fields: Record<string, unknown> } {
  const perUnit = done > 0 ? elapsed / done : null;
  const eta = perUnit === null ? null : perUnit * (total - done);
  const perGradient = detail.gradients > 0 ? elapsed / detail.gradients : null;
  const parts = [`${done}/${total} ${unit}`];
  if (detail.row !== undefined) {
    const error = Number.isFinite(detail.error) ? ` (|error| ${Math.abs(detail.error).toPrecision(2)} before)` : '';
    parts.push(`row ${detail.row}` + (detail.splits !== undefined ? ` at ${detail.splits} splits${error}` : ''));
  }
  if (perGradient !== null) parts.push(`${perGradient.toFixed(2)} s/gradient`);
  if (perUnit !== null) parts.push(`${perUnit.toFixed(2)} s per ${unit.replace(/s$/, '')}`);
  parts.push(`ETA ${formatSeconds(eta)}`);
  return {
    message: `${label}: ${parts.join(', ')}`,
    fields: {
      progress: label, unit, done, total, ...detail, error: Number.isFinite(detail.error) ? round(Math.abs(detail.error)) : undefined, elapsed_s: round(elapsed),
      s_per_unit: perUnit === null ? null : round(perUnit),
      s_per_gradient: perGradient === null ? null : round(perGradient),
      eta_s: eta === null ? null : round(eta),
    },
  };
}

/** A Progress that logs through `sink` at most every `intervalSeconds`, plus first, last and notable moments. */
export function progressLines(label: string, unit: string, intervalSeconds: number, now: () => number, sink: ProgressSink): Progress {
  const started = now();
  let lastLine = started;
  let done = 0;
  let total = 0;
  let detail: ProgressDetail = {};
  const emit = () => {
    lastLine = now();
    const { message, fields } = describeProgress(label, unit, done, total, lastLine - started, detail);
    sink(message, fields);
  };
  const due = () => now() - lastLine >= intervalSeconds;
  return {
    update(d, t) {
      [done, total] = [d, t];
      if (d > 0 && (d === 1 || d === t || due())) emit(); // update(0, total) only sets the total
    },
    pulse(more, notable = false) {
      detail = { ...detail, ...more };
      if (notable || due()) emit();
    },
    stop() {},
  };
}
