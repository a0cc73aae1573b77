import { Module } from '@nestjs/common';
import { GeminiBatches } from './gemini-batches';
import { GeminiClient } from './gemini-client';

/** The Gemini clients (interactive calls and Batch Mode); needs the global ConfigModule. */
@Module({ providers: [GeminiClient, GeminiBatches], exports: [GeminiClient, GeminiBatches] })
export class UpstreamModule {}
