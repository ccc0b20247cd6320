// The `lca` program: declares the commands and maps every failure to one line on stderr and an
// exit code — 0 success, 2 usage (bad flags, config keys), 1 anything else. bin/lca.js exits.
import { examples } from './common.js';
import { Command, CommanderError } from 'commander';
import { ExistsError, InputError, LcaError, UsageError } from '../errors.js';
import { analyzeCommand } from './analyze.js';
import { pruneCommand } from './prune.js';
import { computeCommand } from './compute.js';
import { dataCommand } from './data.js';
import { demoCommand } from './demo.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { plotCommand } from './plot.js';
import { reportCommand } from './report.js';
import { statusCommand } from './status.js';
import { trainCommand } from './train.js';

function program(): Command {
  const root = new Command('lca')
    .description('Loss Change Allocation (Lan et al., NeurIPS 2019): which parameters help or hurt training, when, and by how much')
    .version(process.env.npm_package_version ?? '0.1.0')
    .addHelpText('after', examples('lca demo', 'lca train --config configs/mnist-fc.yaml --out runs/fc && lca compute --run runs/fc', 'lca analyze --run runs/fc --report helped --table summary'))
    .exitOverride()
    .configureOutput({ outputError: oneLine });
  for (const command of [demoCommand(), trainCommand(), computeCommand(), statusCommand(), analyzeCommand(), plotCommand(), reportCommand(), pruneCommand(), dataCommand(), importCommand(), exportCommand()]) {
    root.addCommand(command.exitOverride().configureOutput({ outputError: oneLine }));
  }
  return root;
}

/** Commander's `error: …` as the one `lca: …` line every other error is, with where to find the usage. */
function oneLine(message: string, write: (text: string) => void): void {
  write(`lca: ${message.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (see lca --help)\n`);
}

// A full disk or a read-only folder is the machine's state, not a bug: the work done so far is kept.
const DISK_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system', EACCES: 'permission denied',
  EFBIG: 'file too large for this process (its file-size limit, ulimit -f)',
};

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
    const disk = DISK_ERRORS[(err as NodeJS.ErrnoException)?.code ?? ''];
    if (disk) {
      const where = (err as NodeJS.ErrnoException).path ?? (err as NodeJS.ErrnoException).syscall ?? '';
      process.stderr.write(`lca: ${where ? `${where}: ` : ''}${disk}; finished work is kept: fix that, then run the same command again\n`);
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
