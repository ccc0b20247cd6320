// `lca data fetch`: flags → fetchDataset, which downloads, checks and installs a dataset; logs on stderr only.
import { Argument, Command } from 'commander';
import { FETCH_DATASETS, type FetchDataset } from '../data/fetch/sources.js';
import { examples, logLevelOption, reporterFrom } from './common.js';
import type { LogLevel } from './console.js';

interface FetchFlags {
  dir?: string;
  mirror?: string;
  force?: boolean;
  logLevel: LogLevel;
}

const FETCH_HELP = `
Files and checksums:
  mnist          the four *-ubyte.gz files from https://ossci-datasets.s3.amazonaws.com/mnist/
                 (then http://yann.lecun.com/exdb/mnist/), md5-checked, into ~/.cache/lca/mnist
  fashion-mnist  the four *-ubyte.gz files from zalandoresearch/fashion-mnist on GitHub (then its S3
                 bucket), md5-checked, into /usr/share/datasets/fashion-mnist, where Debian's
                 dataset-fashion-mnist puts them (writing there needs root: else use --dir)
  cifar10        https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, md5-checked and extracted to
                 cifar-10-batches-bin/ (with a SHA256SUMS) in ~/.cache/lca/cifar10; the archive is not kept

The folder is the one training reads: --dir, else LCA_DATA_DIR, else the default above. With --dir,
train with --data-dir set to the same folder. Files already there are checked, not downloaded again.
A failed or interrupted download leaves the folder as it was.

--mirror replaces the download sites with one base URL that serves the same file names, e.g. a local
mirror or a caching proxy: lca data fetch mnist --mirror http://mirror.example/mnist/
`;

const fetchCommand = () =>
  new Command('fetch')
    .description('download a dataset, check its published checksums, and put it where training looks for it')
    .addArgument(new Argument('<dataset>', 'dataset to download').choices(FETCH_DATASETS))
    .option('-d, --dir <dir>', 'folder to write to (default: LCA_DATA_DIR, then the standard folder)')
    .option('--mirror <url>', 'base URL to download from instead of the published sites')
    .option('--force', 'download again even files that are present and check out')
    .addOption(logLevelOption())
    .addHelpText('after', FETCH_HELP)
    .action(async (dataset: FetchDataset, flags: FetchFlags) => {
      const { fetchDataset } = await import('../jobs/fetch-data.js');
      const reporter = reporterFrom(flags);
      const result = await fetchDataset({ name: dataset, dir: flags.dir, mirror: flags.mirror, force: !!flags.force, env: process.env, reporter });
      const how = result.origin === 'default' ? '' : `; train with --data-dir ${result.dir}${result.origin === 'LCA_DATA_DIR' ? ' or the same LCA_DATA_DIR' : ''}`;
      const what = result.downloaded.length > 0 ? `downloaded ${result.downloaded.join(', ')}` : 'already present and checked; nothing downloaded';
      reporter.info(`${dataset} in ${result.dir}: ${what}${how}`, { downloaded: result.downloaded, kept: result.kept });
    });

export const dataCommand = () =>
  new Command('data')
    .description('get the datasets: `lca data fetch mnist|fashion-mnist|cifar10`')
    .addHelpText('after', examples('lca data fetch fashion-mnist --dir data/fashion-mnist'))
    .addCommand(fetchCommand().exitOverride().showHelpAfterError('(run with --help for usage)'));
