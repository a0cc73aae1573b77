export * from './project.entity';
export * from './project-model-limit.entity';
export * from './upstream-key.entity';
export * from './client.entity';
export * from './client-key.entity';
export * from './batch.entity';
export * from './batch-item.entity';
export * from './audit-log.entity';
export * from './key-rotation.entity';
export * from './dispatch-worker.entity';
export * from './model-price.entity';
export * from './usage-record.entity';
export * from './usage-hourly.entity';

import { AuditLogEntity } from './audit-log.entity';
import { BatchItemEntity } from './batch-item.entity';
import { BatchEntity } from './batch.entity';
import { ClientKeyEntity } from './client-key.entity';
import { ClientEntity } from './client.entity';
import { DispatchWorkerEntity } from './dispatch-worker.entity';
import { KeyRotationEntity } from './key-rotation.entity';
import { ModelPriceEntity } from './model-price.entity';
import { ProjectModelLimitEntity } from './project-model-limit.entity';
import { ProjectEntity } from './project.entity';
import { UpstreamKeyEntity } from './upstream-key.entity';
import { UsageHourlyEntity } from './usage-hourly.entity';
import { UsageRecordEntity } from './usage-record.entity';

export const ENTITIES = [
  ProjectEntity,
  ProjectModelLimitEntity,
  UpstreamKeyEntity,
  ClientEntity,
  ClientKeyEntity,
  BatchEntity,
  BatchItemEntity,
  AuditLogEntity,
  KeyRotationEntity,
  DispatchWorkerEntity,
  ModelPriceEntity,
  UsageRecordEntity,
  UsageHourlyEntity,
];
