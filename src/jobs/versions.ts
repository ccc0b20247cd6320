// Versions of the packages a run depends on, for the manifest (read from their package.json).
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    const file = require.resolve(`${name}/package.json`);
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function packageVersions(): Record<string, string> {
  const own = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    lca: own.version,
    node: process.versions.node,
    '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'),
    'apache-arrow': packageVersion('apache-arrow'),
  };
}
