// Runs the real `lca` binary as a user would, with a clean environment, and captures everything.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/lca.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function lca(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', ...options.env };
  delete env.LCA_DATA_DIR; // hermetic: data comes from flags or fixtures only
  if (options.env?.LCA_DATA_DIR) env.LCA_DATA_DIR = options.env.LCA_DATA_DIR;
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? PROJECT_ROOT, env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
