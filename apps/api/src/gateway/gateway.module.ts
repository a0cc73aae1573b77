import { Module } from '@nestjs/common';
import {
  ADMISSION_TIMING,
  DEFAULT_ADMISSION_TIMING,
  InteractiveReserve,
  UpstreamPicker,
} from '@keyfleet/admission';
import { quotaEngineProvider } from '@keyfleet/quota';
import { RegistryModule } from '@keyfleet/registry';
import { AuthModule } from '../auth/auth.module';
import { GatewayModels } from './gateway-models';
import { GeminiNativeController } from './gemini-native.controller';
import { InteractiveDispatcher } from './interactive-dispatcher';
import { OpenAiController } from './openai.controller';
import { UnmeteredCalls } from './unmetered-calls';
import { UpstreamHttp } from './upstream-http';

/**
 * The interactive surface: Gemini-native `/v1beta/models/…` and OpenAI-compatible `/v1/chat/completions`,
 * admitted inline in the api process through the same quota engine and picker as the worker's batches.
 */
@Module({
  imports: [RegistryModule, AuthModule],
  controllers: [GeminiNativeController, OpenAiController],
  providers: [
    { provide: ADMISSION_TIMING, useValue: DEFAULT_ADMISSION_TIMING },
    quotaEngineProvider,
    InteractiveReserve,
    UpstreamPicker,
    InteractiveDispatcher,
    UnmeteredCalls,
    UpstreamHttp,
    GatewayModels,
  ],
})
export class GatewayModule {}
