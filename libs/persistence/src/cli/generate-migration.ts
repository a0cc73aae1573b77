// Writes a timestamped migration with whatever the entities need beyond the migrated schema.
// Usage: npm run migration:generate -- <Name> [--check]   (--check: exit 1 if a migration would be written)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../data-source-options';
import { ensureDatabase, runMigrations } from '../migrate';

async function main(): Promise<void> {
  const [name = 'Change', flag] = process.argv.slice(2);
  const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/keyfleet';
  await ensureDatabase(url);
  const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
  try {
    await runMigrations(dataSource);
    const sql = await dataSource.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      console.log('Schema is up to date: no migration needed.');
      return;
    }
    if (flag === '--check') {
      console.error(
        `The entities differ from the migrations:\n${sql.upQueries.map((q) => q.query).join(';\n')}`,
      );
      process.exitCode = 1;
      return;
    }
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const line = (query: string) => `    await queryRunner.query(${JSON.stringify(query)});`;
    const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${sql.upQueries.map((q) => line(q.query)).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${sql.downQueries
  .reverse()
  .map((q) => line(q.query))
  .join('\n')}
  }
}
`;
    const file = path.join(__dirname, '..', 'migrations', `${timestamp}-${kebab(name)}.ts`);
    writeFileSync(file, body);
    console.log(`Wrote ${path.relative(process.cwd(), file)}; add ${className} to migrations/index.ts.`);
  } finally {
    await dataSource.destroy();
  }
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
