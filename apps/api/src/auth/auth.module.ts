import { Module } from '@nestjs/common';
import { RegistryModule } from '@keyfleet/registry';
import { AdminAuthGuard } from './admin-auth.guard';
import { ClientAuthGuard } from './client-auth.guard';
import { ClientKeyCache } from './client-key-cache';
import { ClientKeyVerifier } from './client-key-verifier';
import { WhoamiController } from './whoami.controller';

/** Client and admin authentication; import it wherever a controller uses the guards. */
@Module({
  imports: [RegistryModule],
  controllers: [WhoamiController],
  providers: [ClientAuthGuard, AdminAuthGuard, ClientKeyCache, ClientKeyVerifier],
  exports: [ClientAuthGuard, AdminAuthGuard, ClientKeyCache, ClientKeyVerifier],
})
export class AuthModule {}
