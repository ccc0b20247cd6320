// Writes fixtures/fashion-mnist-subset/ from Debian's Fashion-MNIST: a small, already split test dataset.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_DIR, fixtureFiles } from '../src/data/fixture.js';
import { writeIdx } from '../src/data/idx.js';
import { MNIST_CLASSES, MNIST_SHAPE, type RawImageSet, readImageSet, takeRows } from '../src/data/imageset.js';
import { paperSplit } from '../src/data/split.js';

// Enough to train a few hundred steps and compute LCA in tests, small enough to keep in git (~5 MB).
const TRAIN_COUNT = 10000;
const VAL_COUNT = 1000;
// Debian package dataset-fashion-mnist.
const SOURCE = '/usr/share/datasets/fashion-mnist';

// dist/scripts/make-fixtures.js → package root.
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(projectRoot, FIXTURE_DIR);

const all = readImageSet(
  join(SOURCE, 'train-images-idx3-ubyte.gz'),
  join(SOURCE, 'train-labels-idx1-ubyte.gz'),
  MNIST_SHAPE,
  MNIST_CLASSES,
);
const split = paperSplit(all.count);
mkdirSync(outDir, { recursive: true });
writePart('train', takeRows(all, split.trainIndices.subarray(0, TRAIN_COUNT)));
writePart('val', takeRows(all, split.valIndices.subarray(0, VAL_COUNT)));
writeFileSync(join(outDir, 'LICENSE'), licenseText());
writeFileSync(join(outDir, 'README.md'), readmeText());
process.stdout.write(`wrote ${outDir}\n`);

function writePart(part: 'train' | 'val', set: RawImageSet): void {
  const files = fixtureFiles(part);
  writeIdx(join(outDir, files.images), [set.count, MNIST_SHAPE[0], MNIST_SHAPE[1]], set.images, { gzip: true });
  writeIdx(join(outDir, files.labels), [set.count], set.labels, { gzip: true });
}

function readmeText(): string {
  return `# Fashion-MNIST subset (test fixture)

A small, already split slice of [Fashion-MNIST](https://github.com/zalandoresearch/fashion-mnist),
read by \`lca\` as the dataset \`fashion-mnist-fixture\` for tests and quick runs.

- \`train-*-ubyte.gz\`: the first ${TRAIN_COUNT.toLocaleString('en-US')} images of the paper's training set
  (the 55,000 training images left after the validation split, in original order).
- \`val-*-ubyte.gz\`: the first ${VAL_COUNT.toLocaleString('en-US')} images of the paper's validation set
  (numpy \`RandomState(0).choice(60000, 5000, replace=False)\`, in that order).

Files are gzipped IDX (the MNIST format), unsigned bytes: images \`[N, 28, 28]\`, labels \`[N]\`.
Source: Debian's \`dataset-fashion-mnist\` (\`${SOURCE}/train-*-ubyte.gz\`).

Regenerate (byte-identical output) after \`npx tsc -p .\` with:

    node dist/scripts/make-fixtures.js

The data is © 2017 Zalando SE under the MIT (Expat) licence; see \`LICENSE\`.
`;
}

function licenseText(): string {
  return `The MIT License (MIT) / Expat

Copyright (c) 2017 Zalando SE

Permission is hereby granted, free of charge, to any person obtaining a
copy of this software and associated documentation files (the "Software"),
to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense,
and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included
in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;
}
