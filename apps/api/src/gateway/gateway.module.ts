import { Module } from '@nestjs/common';
import { RegistryModule } from '@keyfleet/registry';
import { AuthModule } from '../auth/auth.module';
import { EmbeddingFanOut } from './embedding-fan-out';
import { GatewayModels } from './gateway-models';
import { GeminiNativeController } from './gemini-native.controller';
import { ModelsController } from './models.controller';
import { InteractiveBudget } from './interactive-budget';
import { InteractiveDispatcher } from './interactive-dispatcher';
import { OpenAiController } from './openai.controller';
import { UnmeteredCalls } from './unmetered-calls';
import { UpstreamHttp } from './upstream-http';

/**
 * The interactive surface: Gemini-native `/v1beta/models/…` and `/v1/models/…`, and OpenAI-compatible `/v1/chat/completions`,
 * admitted inline in the api process through the same dispatch policy as the worker's batches (the
 * AppModule's AdmissionModule: one quota engine per process).
 */
@Module({
  imports: [RegistryModule, AuthModule],
  controllers: [ModelsController, GeminiNativeController, OpenAiController],
  providers: [
    InteractiveDispatcher,
    InteractiveBudget,
    UnmeteredCalls,
    UpstreamHttp,
    GatewayModels,
    EmbeddingFanOut,
  ],
})
export class GatewayModule {}
