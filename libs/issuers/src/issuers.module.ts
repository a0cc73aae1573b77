import { Module } from '@nestjs/common';
import { KeyIssuers } from './key-issuers';

/** Key issuers (needs ConfigModule.forRoot(config) in the application). */
@Module({ providers: [KeyIssuers], exports: [KeyIssuers] })
export class IssuersModule {}
