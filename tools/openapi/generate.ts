// `npm run openapi`: writes the CLI's client types, generated from keyfleet's OpenAPI document.
// `npm run openapi -- --check` only says whether the committed types are current (exit 1 when stale).
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiDocument } from '../../apps/api/src/openapi/api-document';
import { CLIENT_TYPES_FILE, clientTypesOf } from './client-types';

async function main(): Promise<number> {
  const root = join(__dirname, '../..');
  const target = join(root, CLIENT_TYPES_FILE);
  const document = apiDocument();
  const types = await clientTypesOf(document, root);
  if (process.argv.includes('--check')) {
    const current = readFileSync(target, 'utf8') === types;
    console.log(
      current ? `${CLIENT_TYPES_FILE} is current` : `${CLIENT_TYPES_FILE} is stale: run npm run openapi`,
    );
    return current ? 0 : 1;
  }
  writeFileSync(target, types);
  console.log(`wrote ${CLIENT_TYPES_FILE} (${Object.keys(document.paths ?? {}).length} paths)`);
  return 0;
}

void main().then((code) => (process.exitCode = code));
