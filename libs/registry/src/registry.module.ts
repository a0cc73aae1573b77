import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit/audit.service';
import { ClientsService } from './clients/clients.service';
import { KeyMigrations } from './keys/key-migrations';
import { KeyRotationService } from './keys/key-rotation.service';
import { RotationRequests } from './keys/rotation-requests';
import { SecretReencryption } from './secrets/secret-reencryption';
import { UpstreamKeysService } from './keys/upstream-keys.service';
import { PoolService } from './pool/pool.service';
import { ModelPricesService } from './prices/model-prices.service';
import { ProjectsService } from './projects/projects.service';
import { KeyRetirements } from './keys/key-retirements';
import { RegistryEvents } from './shared/registry-events';
import { SecretVault } from './shared/secret-vault';

const SERVICES = [
  ProjectsService,
  UpstreamKeysService,
  KeyRotationService,
  KeyMigrations,
  RotationRequests,
  SecretReencryption,
  ClientsService,
  AuditService,
  PoolService,
  RegistryEvents,
  KeyRetirements,
  ModelPricesService,
];

/**
 * The registry of projects, keys and clients, and the audit log. Needs ConfigModule.forRoot(config)
 * and PersistenceModule.forRoot(config) in the same application.
 */
@Global()
@Module({
  providers: [...SERVICES, SecretVault],
  exports: SERVICES,
})
export class RegistryModule {}
