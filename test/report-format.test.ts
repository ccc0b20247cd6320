// Report rendering: stable machine formats and a readable table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, type Report } from '../src/report/format.js';
import { UsageError } from '../src/errors.js';

const report: Report = {
  report: 'layers',
  context: { run: 'runs/a,b', backend: 'wasm' },
  summary: { total_lca: -1.5 },
  tables: [
    { name: 'layers', columns: ['layer', 'lca', 'share'], rows: [['fc_1', -1.25, 0.8333333333333334], ['fc "2"', -0.25, 1 / 6]] },
    { name: 'variables', columns: ['variable', 'lca'], rows: [['fc_1/kernel', -1]] },
  ],
};

test('TSV: header plus rows of the first table, full precision', () => {
  assert.equal(render(report, 'tsv'), 'layer\tlca\tshare\nfc_1\t-1.25\t0.8333333333333334\nfc "2"\t-0.25\t0.16666666666666666\n');
  assert.equal(render(report, 'tsv', 'variables'), 'variable\tlca\nfc_1/kernel\t-1\n');
});

test('CSV quotes fields with commas and quotes', () => {
  assert.equal(render(report, 'csv').split('\n')[2], '"fc ""2""",-0.25,0.16666666666666666');
});

test('JSON: context and summary at the top level, tables as arrays of objects', () => {
  const parsed = JSON.parse(render(report, 'json'));
  assert.equal(parsed.report, 'layers');
  assert.equal(parsed.total_lca, -1.5);
  assert.equal(parsed.backend, 'wasm');
  assert.deepEqual(parsed.tables.variables, [{ variable: 'fc_1/kernel', lca: -1 }]);
});

test('table: aligned columns, no escape codes', () => {
  const text = render(report, 'table');
  assert.match(text, /^report\s+layers$/m);
  assert.match(text, /^fc_1\s+-1\.25\s+0\.833333$/m);
  assert.doesNotMatch(text, /\x1b\[/);
});

test('an unknown table is a usage error naming the tables there are', () => {
  assert.throws(() => render(report, 'tsv', 'nope'), (e: unknown) => e instanceof UsageError && /has no table nope \(tables: summary, layers, variables\)/.test(e.message));
});

test('--table summary: the headline numbers as name/value rows in TSV and CSV, the summary block alone as a table (issue 13 item 2)', () => {
  assert.equal(render(report, 'tsv', 'summary'), 'name\tvalue\nreport\tlayers\nrun\truns/a,b\nbackend\twasm\ntotal_lca\t-1.5\n');
  assert.equal(render(report, 'csv', 'summary').split('\n')[2], 'run,"runs/a,b"');
  const text = render(report, 'table', 'summary');
  assert.match(text, /^total_lca\s+-1\.5$/m);
  assert.doesNotMatch(text, /^layers$/m, 'no other table');
});
