// The cost model of `lca compute --dry-run` and of a compute's last log line (lca/estimate.ts,
// jobs/gradient-timer.ts): gradients counted from rows and ranges, seconds from timed gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLES, SAMPLE_SECONDS, gradientCount, loopSeconds, median, partBytes, partCount, wantsSample } from '../src/lca/estimate.js';
import { gradientTimer, stopwatch } from '../src/jobs/gradient-timer.js';

test('gradients: one per row and per range start at iterates, splits − 1 per row inside segments', () => {
  assert.deepEqual(gradientCount('simpson', 660, 1, 2), { endpoint: 661, interior: 660 });
  assert.deepEqual(gradientCount('adaptive', 10, 2, 4), { endpoint: 12, interior: 30 });
  assert.deepEqual(gradientCount('first-order', 10, 1, 1), { endpoint: 11, interior: 0 });
  // The first gradient at its own (warm-up) price, the other 660 endpoints and 660 midpoints at theirs.
  assert.equal(loopSeconds({ endpoint: 661, interior: 660 }, { first: 3, endpoint: 0.5, interior: 0.25 }), 3 + 660 * 0.5 + 660 * 0.25);
  assert.equal(loopSeconds({ endpoint: 0, interior: 0 }, { first: 3, endpoint: 0.5, interior: 0.25 }), 0);
  assert.equal(partCount([[0, 99], [200, 249]], 50), 3);
  assert.equal(partBytes(150, 3, 100, 7), 15021);
});

test('samples: cheap gradients are timed up to SAMPLES times, expensive ones once SAMPLE_SECONDS is spent', () => {
  assert.equal(wantsSample([]), true, 'always one, however slow');
  assert.equal(wantsSample([SAMPLE_SECONDS + 50]), false, 'a LeNet-sized gradient is timed once');
  assert.equal(wantsSample([0.5, 0.6]), true);
  assert.equal(wantsSample(Array(SAMPLES).fill(0.01)), false, 'at most SAMPLES');
  assert.equal(wantsSample([SAMPLE_SECONDS / 2, SAMPLE_SECONDS / 2]), false);
  assert.equal(median([0.78, 0.5, 0.52, 0.49, 0.51]), 0.51, 'one slow timing (a neighbour starting a job) does not move it');
  assert.equal(median([1, 4, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('a compute\'s timer: the first gradient alone, then the medians of each kind, as the dry run takes them', async () => {
  const timer = gradientTimer();
  assert.equal(timer.estimate('simpson', 4, 1, 2), null, 'nothing timed yet');
  const wait = (ms: number) => () => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms));
  assert.equal(await timer.time(false, wait(60)), 60, 'returns what it timed');
  await timer.time(false, wait(20));
  assert.equal(timer.estimate('simpson', 4, 1, 2), null, 'simpson needs an interior gradient too');
  assert.ok(timer.estimate('first-order', 4, 1, 1) !== null);
  await timer.time(true, wait(10));
  await timer.time(false, wait(20));
  await timer.time(false, wait(400)); // an outlier the median ignores
  const estimate = timer.estimate('simpson', 4, 1, 2)!;
  assert.equal(estimate.splits, 2);
  // 0.06 s first + 4 endpoints at ~0.02 + 4 midpoints at ~0.01 (timers run a little late, never early).
  assert.ok(estimate.wall >= 0.06 + 4 * 0.02 + 4 * 0.01 - 0.003 && estimate.wall < 0.06 + 4 * 0.05 + 4 * 0.04, `${estimate.wall}`);
  assert.ok(estimate.cpu >= 0 && estimate.cpu < estimate.wall / 2, `waiting costs next to no CPU: ${estimate.cpu} s`);
  // A first row that doubled to 4 splits: 3 interior gradients per row instead of 1.
  const doubled = timer.estimate('adaptive', 4, 1, 4)!;
  assert.ok(Math.abs(doubled.wall - estimate.wall - 4 * 2 * (estimate.wall - timer.estimate('first-order', 4, 1, 1)!.wall) / 4) < 1e-9, `${doubled.wall}`);
});

test('stopwatch: CPU seconds count work, not waiting', async () => {
  const lap = stopwatch();
  const until = performance.now() + 150;
  let spin = 0;
  while (performance.now() < until) spin++;
  await new Promise((resolve) => setTimeout(resolve, 150));
  const t = lap();
  assert.ok(spin > 0 && t.wall >= 0.29, `${t.wall} s wall`);
  // 0.15 s busy and 0.15 s asleep: the CPU seconds stay well under the wall seconds, and above nothing.
  assert.ok(t.cpu > 0.01 && t.cpu < 0.26, `${t.cpu} s CPU of ${t.wall} s`);
});
