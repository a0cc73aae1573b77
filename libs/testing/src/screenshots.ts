import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from './simulator/spawn-simulator';

/**
 * Keeps a screenshot a test took: always under tmp/screenshots/, and in docs/images/ (what the README
 * shows) when KF_UPDATE_SCREENSHOTS=1, so an ordinary test run leaves the work tree clean.
 */
export function keepScreenshot(name: string, png: Buffer): string {
  const root = findRepoRoot();
  const dirs = [join(root, 'tmp', 'screenshots')];
  if (process.env['KF_UPDATE_SCREENSHOTS'] === '1') dirs.push(join(root, 'docs', 'images'));
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), png);
  }
  return join(dirs[dirs.length - 1], name);
}
