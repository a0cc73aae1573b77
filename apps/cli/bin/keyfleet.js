#!/usr/bin/env node
// `npx keyfleet …` from a clone (after `npm ci`): runs the CLI's TypeScript through @swc-node/register;
// the Docker image runs the compiled dist/apps/cli/src/main.js instead.
const path = require('node:path');
const root = path.join(__dirname, '../../..');
process.env.SWC_NODE_PROJECT ??= path.join(root, 'tsconfig.json');
require('@swc-node/register');
const { main } = require(path.join(root, 'apps/cli/src/main.ts'));
void main(process.argv).then((code) => {
  process.exitCode = code;
});
