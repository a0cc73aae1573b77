import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AuditLogEntity, UpstreamKeyEntity } from '@keyfleet/persistence';
import { ProjectsService, UpstreamKeysService } from '@keyfleet/registry';
import { createTestDatabase, testConfig, type TestDatabase } from '@keyfleet/testing';
import { RotatorModule } from '../rotator.module';
import { OVERDUE_ACTION, OverdueKeys } from './overdue-keys';

describe('OverdueKeys sweep (real Postgres and Redis)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await NestFactory.createApplicationContext(
      RotatorModule.forRoot(testConfig({ DATABASE_URL: db.url })),
      {
        logger: false,
      },
    );
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('flags each active key past its due date exactly once, and leaves the others alone', async () => {
    const projects = app.get(ProjectsService);
    const keys = app.get(UpstreamKeysService);
    const project = await projects.create({ name: 'rot-p1', tier: 'free' }, 'admin');
    const due = await keys.add(project.id, 'AIzaSyRotatorTestKeyDue0001', 'admin');
    const fresh = await keys.add(project.id, 'AIzaSyRotatorTestKeyFresh002', 'admin');
    const repo = app.get<Repository<UpstreamKeyEntity>>(getRepositoryToken(UpstreamKeyEntity));
    await repo.update(due.id, { rotationDueAt: new Date(Date.now() - 60_000) });

    const sweeper = app.get(OverdueKeys);
    const first = await sweeper.sweep();
    const second = await sweeper.sweep();

    expect(first).toEqual({ overdue: 1, newlyFlagged: [due.id] });
    expect(second).toEqual({ overdue: 1, newlyFlagged: [] });
    const audit = await app
      .get<Repository<AuditLogEntity>>(getRepositoryToken(AuditLogEntity))
      .find({ where: { action: OVERDUE_ACTION } });
    expect(audit.map((entry) => entry.targetId)).toEqual([due.id]);
    expect(JSON.stringify(audit)).not.toContain('AIzaSyRotatorTestKeyDue0001');
    expect(audit[0]?.targetId).not.toBe(fresh.id);
  });
});
