// The `lca` program: declares the commands and maps every failure to one line on stderr and an
// exit code — 0 success, 2 usage (bad flags, config keys), 1 anything else. bin/lca.js exits.
import { Command, CommanderError } from 'commander';
import { ExistsError, InputError, LcaError, UsageError } from '../errors.js';
import { analyzeCommand } from './analyze.js';
import { computeCommand } from './compute.js';
import { dataCommand } from './data.js';
import { demoCommand } from './demo.js';
import { importCommand } from './import.js';
import { plotCommand } from './plot.js';
import { reportCommand } from './report.js';
import { statusCommand } from './status.js';
import { trainCommand } from './train.js';

function program(): Command {
  const root = new Command('lca')
    .description('Loss Change Allocation (Lan et al., NeurIPS 2019): which parameters help or hurt training, when, and by how much')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const command of [demoCommand(), trainCommand(), computeCommand(), statusCommand(), analyzeCommand(), plotCommand(), reportCommand(), dataCommand(), importCommand()]) {
    root.addCommand(command.exitOverride().showHelpAfterError('(run with --help for usage)'));
  }
  return root;
}

// A full wasm heap surfaces as a bare WebAssembly trap or emscripten's abort, never as a tfjs error.
const outOfWasmMemory = (err: unknown): boolean =>
  err instanceof WebAssembly.RuntimeError || /memory access out of bounds|^Aborted\(|Cannot enlarge memory|out of memory/i.test((err as Error)?.message ?? '');

/** Runs the CLI and returns the exit code; only the caller exits. */
export async function main(argv: string[]): Promise<number> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exitCode = 0; // `lca … | head` is a normal end
  });
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander already printed it
    if (err instanceof UsageError) {
      process.stderr.write(`lca: ${err.message}\n`);
      return 2;
    }
    if (err instanceof InputError || err instanceof ExistsError || err instanceof LcaError) {
      process.stderr.write(`lca: ${err.message}\n`);
      return 1;
    }
    if (outOfWasmMemory(err)) {
      process.stderr.write('lca: the wasm backend ran out of memory (its heap is capped at 4 GB); use a smaller --eval-batch-size ' +
        '(exact for networks without batch norm) or --batch-size, or a native backend\n');
      return 1;
    }
    process.stderr.write(`lca: internal error, please report it with this trace:\n${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
