import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { metricsText } from './metrics';

@Controller()
export class MetricsController {
  /** Prometheus exposition. */
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() response: Response): Promise<void> {
    const { contentType, body } = await metricsText();
    response.type(contentType).send(body);
  }
}
