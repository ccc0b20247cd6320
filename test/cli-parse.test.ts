// Option parsers, one line per case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { parseInteger, parseIterationRange, parseNumber } from '../src/cli/parse.js';

const ranges: [string, [number, number | undefined]][] = [
  ['0:220', [0, 219]],
  ['10:11', [10, 10]],
  ['5:', [5, undefined]],
  [':50', [0, 49]],
  [' 3:7 ', [3, 6]],
];
for (const [input, expected] of ranges) test(`--iterations ${input}`, () => assert.deepEqual(parseIterationRange(input), expected));

for (const bad of ['', '5', 'a:b', '7:3', '4:4', '-1:3', '1:2:3', '1.5:3']) {
  test(`--iterations ${JSON.stringify(bad)} is a usage error`, () => assert.throws(() => parseIterationRange(bad), InvalidArgumentError));
}

test('numbers: 0 and exponents pass; words and blanks do not', () => {
  assert.equal(parseNumber('0'), 0);
  assert.equal(parseNumber('1e-3'), 0.001);
  for (const bad of ['', ' ', 'fast', 'NaN', 'Infinity']) assert.throws(() => parseNumber(bad), InvalidArgumentError);
  assert.equal(parseInteger('250'), 250);
  for (const bad of ['2.5', '-1']) assert.throws(() => parseInteger(bad), InvalidArgumentError);
});
