import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { retryAfterOf, toKeyfleetError } from './dependency-unavailable';
import { ErrorCode } from './error-code';
import type { ErrorBody } from './keyfleet-error';

const STATUS_NAMES: Record<number, ErrorCode> = {
  400: ErrorCode.InvalidArgument,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.PermissionDenied,
  404: ErrorCode.NotFound,
  409: ErrorCode.AlreadyExists,
  413: ErrorCode.PayloadTooLarge,
  429: ErrorCode.ResourceExhausted,
  503: ErrorCode.Unavailable,
};

/**
 * Renders every error as Gemini's `{ error: { code, message, status } }` with the right HTTP status, and
 * `Retry-After` when the error says how long to wait (a database outage is a 503, not a 500).
 */
@Catch()
export class GeminiShapeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toBody(exception);
    if (status === 503) this.logger.warn(`${body.error.message} (${describeCause(exception)})`);
    else if (status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (response.headersSent) {
      response.end();
      return;
    }
    const retryAfter = retryAfterOf(toKeyfleetError(exception) ?? exception);
    if (retryAfter !== undefined) response.setHeader('retry-after', String(retryAfter));
    response.status(status).json(body);
  }

  private toBody(exception: unknown): { status: number; body: ErrorBody } {
    const known = toKeyfleetError(exception);
    if (known) return { status: known.httpStatus, body: known.toBody() };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = STATUS_NAMES[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.InvalidArgument);
      return { status, body: { error: { code: status, message: httpMessage(exception), status: code } } };
    }
    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    return {
      status,
      body: { error: { code: status, message: 'Internal error', status: ErrorCode.Internal } },
    };
  }
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') {
    // body-parser's SyntaxError arrives as a 400 whose message names the JSON problem.
    return message;
  }
  return exception.message;
}

function describeCause(exception: unknown): string {
  return exception instanceof Error ? exception.message : String(exception);
}
