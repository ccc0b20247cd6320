// Where a dataset's files are looked for: --data-dir / data_dir, else LCA_DATA_DIR, else the dataset's default.

/** Where the data was looked for and why there. */
export interface DataDirChoice {
  dir: string;
  origin: 'data_dir' | 'LCA_DATA_DIR' | 'default';
}

/** The first of the flag/config folder and $LCA_DATA_DIR that is set and non-empty, else `defaultDir`. */
export function chooseDataDir(dataDir: string | undefined, env: NodeJS.ProcessEnv, defaultDir: string): DataDirChoice {
  if (dataDir !== undefined && dataDir !== '') return { dir: dataDir, origin: 'data_dir' };
  const fromEnv = env.LCA_DATA_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return { dir: fromEnv, origin: 'LCA_DATA_DIR' };
  return { dir: defaultDir, origin: 'default' };
}
