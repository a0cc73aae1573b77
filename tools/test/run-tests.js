#!/usr/bin/env node
// Runs the whole suite once and prints Jest's own counts as `tests: N passed, N failed`.
const { spawnSync } = require('node:child_process');
const { readFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const out = path.join(root, 'tmp', 'jest-results.json');
mkdirSync(path.dirname(out), { recursive: true });
// --forceExit: on 2 cores Jest runs every spec in its own process, where a client a spec left reconnecting
// (a private Redis it stopped) would keep it from exiting after the counts are written.
const args = [
  require.resolve('jest/bin/jest'),
  '--json',
  `--outputFile=${out}`,
  '--forceExit',
  ...process.argv.slice(2),
];
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

let summary;
try {
  summary = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  console.error('jest wrote no results');
  process.exit(run.status ?? 1);
}
console.log(`tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed`);
process.exit(run.status ?? 1);
