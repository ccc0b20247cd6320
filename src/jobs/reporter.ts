// What a job may tell the person running it: structured log lines and a progress count. The CLI
// implements this with pino (stderr) and ora (a terminal only); tests pass a silent one.

export interface Progress {
  /** `done` of `total` units finished. */
  update(done: number, total: number): void;
  /** Work inside the current unit (gradients, Simpson splits): a long unit shows it is alive; `notable` logs it now. */
  pulse(detail: Record<string, number>, notable?: boolean): void;
  stop(): void;
}

export interface Reporter {
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  /** A progress count of `unit`s (default iterations), e.g. `progress('downloading x', 'MiB')`. */
  progress(label: string, unit?: string): Progress;
}

export const silentReporter: Reporter = {
  info() {},
  debug() {},
  warn() {},
  progress: () => ({ update() {}, pulse() {}, stop() {} }),
};
