// Sharding arithmetic (lca/schedule.ts): n contiguous ranges that cover the rows exactly once,
// balanced within one row, and the shard that --shard, Slurm or Kubernetes assign; one line per case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../src/errors.js';
import { parseShard, shardFromEnv, shardRange } from '../src/lca/schedule.js';
import { formatRanges } from '../src/store/ranges.js';

test('shards cover every row exactly once, in order, balanced within one row', () => {
  for (const [first, last] of [[0, 0], [0, 9], [3, 219], [7, 7], [0, 54_999]]) {
    for (let count = 1; count <= 13; count++) {
      const ranges = Array.from({ length: count }, (_, index) => shardRange(first, last, { index, count }));
      const nonEmpty = ranges.filter((r): r is [number, number] => r !== null);
      let next = first;
      for (const [a, b] of nonEmpty) {
        assert.equal(a, next, `${first}-${last} in ${count}: a gap or overlap at ${a}`);
        next = b + 1;
      }
      assert.equal(next, last + 1, `${first}-${last} in ${count}: rows left over`);
      const sizes = nonEmpty.map(([a, b]) => b - a + 1);
      const rows = last - first + 1;
      assert.equal(nonEmpty.length, Math.min(count, rows), 'a shard is empty only when there are more shards than rows');
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${first}-${last} in ${count}: sizes ${sizes}`);
    }
  }
});

test('shard ranges, by hand', () => {
  assert.deepEqual(shardRange(0, 9, { index: 0, count: 3 }), [0, 2]);
  assert.deepEqual(shardRange(0, 9, { index: 1, count: 3 }), [3, 5]);
  assert.deepEqual(shardRange(0, 9, { index: 2, count: 3 }), [6, 9]);
  assert.equal(shardRange(5, 6, { index: 0, count: 3 }), null);
});

const flags: [string, number, number][] = [['0/1', 0, 1], ['0/4', 0, 4], ['3/4', 3, 4], [' 2 / 5 ', 2, 5]];
for (const [value, index, count] of flags) {
  test(`--shard ${value}`, () => assert.deepEqual(parseShard(value), { index, count, source: `--shard ${value}` }));
}
const badFlags: [string, RegExp][] = [
  ['4/4', /numbered from 0, so k must be below n = 4 \(0\/4 … 3\/4\)/],
  ['1/0', /at least 1/],
  ['2', /expected k\/n/],
  ['-1/4', /expected k\/n/],
  ['1.5/4', /expected k\/n/],
  ['a/b', /expected k\/n/],
];
for (const [value, message] of badFlags) {
  test(`--shard ${value} is a usage error`, () => assert.throws(() => parseShard(value), (e: Error) => e instanceof UsageError && message.test(e.message)));
}

const envs: [string, Record<string, string>, [number, number] | null][] = [
  ['no scheduler', {}, null],
  ['Slurm --array=0-3, task 2', { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '4' }, [2, 4]],
  ['Slurm --array=1-4, task 1', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' }, [0, 4]],
  ['Slurm --array=1-4, task 4', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' }, [3, 4]],
  ['Slurm --array=10-16:2, task 14', { SLURM_ARRAY_TASK_ID: '14', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' }, [2, 4]],
  ['Kubernetes Indexed Job, index 0', { JOB_COMPLETION_INDEX: '0', LCA_SHARD_COUNT: '3' }, [0, 3]],
  ['Slurm wins over Kubernetes', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2', JOB_COMPLETION_INDEX: '0', LCA_SHARD_COUNT: '3' }, [1, 2]],
];
for (const [what, env, expected] of envs) {
  test(`shard from the environment: ${what}`, () => {
    const shard = shardFromEnv(env);
    assert.deepEqual(shard && [shard.index, shard.count], expected);
  });
}
const badEnvs: [string, Record<string, string>, RegExp][] = [
  ['Slurm without a count', { SLURM_ARRAY_TASK_ID: '1' }, /SLURM_ARRAY_TASK_COUNT= is not a non-negative integer/],
  ['Slurm task beyond the count', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' }, /SLURM_ARRAY_TASK_ID=5 .*k must be below n = 4/],
  ['Slurm task off the step', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' }, /not a task of a contiguous job array/],
  ['Kubernetes without LCA_SHARD_COUNT', { JOB_COMPLETION_INDEX: '2' }, /LCA_SHARD_COUNT is not; set it to the Job's completions/],
  ['Kubernetes index beyond the count', { JOB_COMPLETION_INDEX: '3', LCA_SHARD_COUNT: '3' }, /k must be below n = 3/],
  ['a word for a count', { JOB_COMPLETION_INDEX: '0', LCA_SHARD_COUNT: 'four' }, /LCA_SHARD_COUNT=four is not a non-negative integer/],
];
for (const [what, env, message] of badEnvs) {
  test(`shard from the environment, usage error: ${what}`, () => assert.throws(() => shardFromEnv(env), (e: Error) => e instanceof UsageError && message.test(e.message)));
}

test('ranges read as people write them', () => {
  assert.equal(formatRanges([[0, 9], [12, 12], [14, 19]]), '0-9, 12, 14-19');
  assert.equal(formatRanges([]), '');
});
