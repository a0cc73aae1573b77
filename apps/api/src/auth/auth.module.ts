import { Module } from '@nestjs/common';
import { RegistryModule } from '@keyfleet/registry';
import { AdminAuthGuard } from './admin-auth.guard';
import { ClientAuthGuard } from './client-auth.guard';
import { ClientKeyCache } from './client-key-cache';
import { WhoamiController } from './whoami.controller';

/** Client and admin authentication; import it wherever a controller uses the guards. */
@Module({
  imports: [RegistryModule],
  controllers: [WhoamiController],
  providers: [ClientAuthGuard, AdminAuthGuard, ClientKeyCache],
  exports: [ClientAuthGuard, AdminAuthGuard, ClientKeyCache],
})
export class AuthModule {}
