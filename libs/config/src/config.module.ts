import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { KeyfleetConfig } from './keyfleet-config';

/** Injection token of the typed configuration. */
export const KEYFLEET_CONFIG = Symbol('KEYFLEET_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: KeyfleetConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: KEYFLEET_CONFIG, useValue: config }],
      exports: [KEYFLEET_CONFIG],
    };
  }
}
