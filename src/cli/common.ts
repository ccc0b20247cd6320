// Options every command shares, and the one place stdout is written.
import { Command, Option } from 'commander';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExistsError } from '../errors.js';
import { AUTO_ORDER, BACKEND_CHOICES } from '../backend/names.js';
import { parsePositiveInteger } from './parse.js';
import { METHODS } from '../lca/integrate.js';
import { createLogger, LOG_LEVELS, reporterFor, type LogLevel } from './console.js';
import type { Reporter } from '../jobs/reporter.js';

/** The package root (where `fixtures/` and `configs/` live), from dist/src/cli/. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const logLevelOption = () =>
  new Option('--log-level <level>', 'log detail on stderr').choices(LOG_LEVELS).default('info');

export const backendOption = () =>
  new Option('--backend <name>', `engine and backend; auto tries ${AUTO_ORDER.join(', ')} in that order`).choices(BACKEND_CHOICES);

export const threadsOption = () =>
  new Option('--threads <n>', 'ONNX Runtime intra-op threads per session (default: the cores divided among the sessions)').argParser(parsePositiveInteger);

export const sessionsOption = () =>
  new Option('--sessions <n>', 'ONNX Runtime CPU: evaluate n batches at once, one session (and its memory) each; conv networks run faster with one session per core').argParser(parsePositiveInteger);

export const methodOption = () =>
  new Option('--method <method>', 'path integration: first-order uses ∇L(θ_t); simpson (1,4,1)/6; adaptive doubles Simpson while |error| > tolerance')
    .choices(METHODS);

export function reporterFrom(options: { logLevel: LogLevel }): Reporter {
  return reporterFor(createLogger(options.logLevel));
}

/** `plot` and `report` write one file: an existing one is replaced only with --force. */
export const forceOption = () => new Option('--force', 'replace --out if it exists');

export function assertOutputFree(out: string, force: boolean | undefined): void {
  if (!force && fs.existsSync(out)) throw new ExistsError(`${out} already exists; pass --force to replace it`);
}

/** An Examples section for `--help`: commands anyone can paste (runs/fc is the README's run). */
export const examples = (...lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

export const writeOut = (text: string): void => {
  process.stdout.write(text);
};

export type { Command };
