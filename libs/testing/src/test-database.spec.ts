import { ProjectEntity } from '@keyfleet/persistence';
import { createTestDatabase } from './test-database';

describe('createTestDatabase', () => {
  it('gives a migrated database of its own, and drops it', async () => {
    const db = await createTestDatabase();
    const dataSource = await db.dataSource();
    const saved = await dataSource.getRepository(ProjectEntity).save({ name: 'p1', egressIps: [] });
    expect(saved.id).toMatch(/^[0-9a-f-]{36}$/);
    const rows: Array<{ name: string }> = await dataSource.query('SELECT name FROM migrations');
    expect(rows.length).toBeGreaterThan(0);
    await db.drop();
    const other = await createTestDatabase();
    const count: Array<{ n: string }> = await (
      await other.dataSource()
    ).query('SELECT count(*) AS n FROM pg_database WHERE datname = $1', [db.name]);
    expect(count[0]?.n).toBe('0');
    await other.drop();
  });
});
