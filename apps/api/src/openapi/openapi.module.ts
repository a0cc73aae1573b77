import { Module } from '@nestjs/common';
import { OpenApiController } from './openapi.controller';

/** /openapi.json and /docs. */
@Module({ controllers: [OpenApiController] })
export class OpenApiModule {}
