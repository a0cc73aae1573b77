import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode, GeminiShapeExceptionFilter, retryAfterOf, toKeyfleetError } from '@keyfleet/errors';
import { wantsOpenAiShape } from './model-list-shape';
import { openAiErrorBody } from './upstream-failure';

/** `Retry-After` from a pool-busy 429 or a database-outage 503. */
function setRetryAfter(exception: unknown, host: ArgumentsHost): void {
  const response = host.switchToHttp().getResponse<Response>();
  const seconds = retryAfterOf(toKeyfleetError(exception));
  if (seconds !== undefined && !response.headersSent) response.setHeader('retry-after', String(seconds));
}

/** Gemini's error shape (the global filter's, which also sets `Retry-After`). */
@Catch()
export class GeminiGatewayFilter extends GeminiShapeExceptionFilter {}

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
  const known = toKeyfleetError(exception);
  if (known) return { status: known.httpStatus, message: known.message, rpcStatus: known.code };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, message: exception.message, rpcStatus: status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT' };
  }
  return { status: 500, message: 'Internal error', rpcStatus: ErrorCode.Internal };
}

/** On `/v1/models…`, which both kinds of client call: OpenAI's shape to a bearer key, Gemini's otherwise. */
@Catch()
export class ModelListFilter implements ExceptionFilter {
  private readonly gemini = new GeminiGatewayFilter();
  private readonly openAi = new OpenAiGatewayFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const filter = wantsOpenAiShape(request) ? this.openAi : this.gemini;
    filter.catch(exception, host);
  }
}
