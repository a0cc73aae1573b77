import { Module } from '@nestjs/common';
import { GeminiClient } from './gemini-client';

/** The Gemini client; needs the global ConfigModule. */
@Module({ providers: [GeminiClient], exports: [GeminiClient] })
export class UpstreamModule {}
