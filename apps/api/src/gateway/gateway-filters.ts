import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode, GeminiShapeExceptionFilter, KeyfleetError } from '@keyfleet/errors';
import { PoolBusyError } from './pool-busy.error';
import { openAiErrorBody } from './upstream-failure';

function setRetryAfter(exception: unknown, host: ArgumentsHost): void {
  const response = host.switchToHttp().getResponse<Response>();
  if (exception instanceof PoolBusyError && !response.headersSent)
    response.setHeader('retry-after', String(exception.retryAfterSeconds));
}

/** Gemini's error shape (the global filter's), plus `Retry-After` on a pool-busy 429. */
@Catch()
export class GeminiGatewayFilter extends GeminiShapeExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    setRetryAfter(exception, host);
    super.catch(exception, host);
  }
}

/** OpenAI's error shape on /v1/chat/completions and /v1/models, so the openai SDK raises its own classes. */
@Catch()
export class OpenAiGatewayFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    setRetryAfter(exception, host);
    const response = host.switchToHttp().getResponse<Response>();
    const { status, message, rpcStatus } = describe(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(status).json(openAiErrorBody(status, message, rpcStatus));
  }
}

function describe(exception: unknown): { status: number; message: string; rpcStatus: string } {
  if (exception instanceof KeyfleetError)
    return { status: exception.httpStatus, message: exception.message, rpcStatus: exception.code };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, message: exception.message, rpcStatus: status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT' };
  }
  return { status: 500, message: 'Internal error', rpcStatus: ErrorCode.Internal };
}
