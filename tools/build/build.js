#!/usr/bin/env node
// `npm run build`: compiles every app once to dist/ (what the image runs: no TypeScript at start).
// The @keyfleet/* path aliases become tiny packages under dist/node_modules, so Node resolves them as it
// resolves any package, and the compiled files keep their imports unchanged.
const { spawnSync } = require('node:child_process');
const { cpSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const dist = path.join(root, 'dist');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  const entry = path.join(dist, target.replace(/\.ts$/, '.js'));
  const pkg = path.join(dist, 'node_modules', alias);
  mkdirSync(pkg, { recursive: true });
  const relative = path.relative(pkg, entry).split(path.sep).join('/');
  writeFileSync(path.join(pkg, 'index.js'), `module.exports = require('${relative}');\n`);
}

// Files the apps read at runtime besides their code.
cpSync(path.join(root, 'apps/api/src/dashboard/assets'), path.join(dist, 'apps/api/src/dashboard/assets'), {
  recursive: true,
});
console.log(`built ${path.relative(root, dist)}/ (node dist/apps/<app>/src/main.js)`);
