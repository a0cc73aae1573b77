// `npm run config:docs`: writes the README's configuration table and `.env.example` from the env schema.
// `npm run config:docs -- --check` exits 1 when either is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { configTable, envExample, withConfigTable } from '../../libs/config/src/config-docs';

async function main(): Promise<number> {
  const root = join(__dirname, '../..');
  const readmePath = join(root, 'README.md');
  const examplePath = join(root, '.env.example');
  const readme = readFileSync(readmePath, 'utf8');
  // Prettier aligns the table, with the project's options, as format:check wants it.
  const options = (await resolveConfig(readmePath)) ?? {};
  const wantedReadme = await format(withConfigTable(readme, configTable()), {
    ...options,
    parser: 'markdown',
  });
  const wantedExample = envExample();
  if (process.argv.includes('--check')) {
    const stale = [
      readme !== wantedReadme && 'README.md (configuration table)',
      readFileSync(examplePath, 'utf8') !== wantedExample && '.env.example',
    ].filter(Boolean);
    console.log(
      stale.length ? `stale: ${stale.join(', ')}: run npm run config:docs` : 'configuration docs are current',
    );
    return stale.length ? 1 : 0;
  }
  writeFileSync(readmePath, wantedReadme);
  writeFileSync(examplePath, wantedExample);
  console.log('wrote the README configuration table and .env.example');
  return 0;
}

void main().then((code) => (process.exitCode = code));
