import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Response } from 'express';
import { isDatabaseUnavailable } from './database-unavailable';
import { DomainError, ErrorCode, HTTP_STATUS } from './domain-error';

/** Every error leaves as `{"error":{"code","message"}}` with a fitting status; nothing else ever does. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, code, message } = this.describe(exception);
    response.status(status).json({ error: { code, message } });
  }

  private describe(exception: unknown): { status: number; code: ErrorCode; message: string } {
    if (exception instanceof DomainError) {
      return { status: HTTP_STATUS[exception.code], code: exception.code, message: exception.message };
    }
    if (exception instanceof ThrottlerException) {
      return { status: 429, code: 'RATE_LIMITED', message: 'too many requests; slow down' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail =
        typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
      const message = Array.isArray(detail) ? detail.join('; ') : String(detail ?? exception.message);
      if (status === HttpStatus.NOT_FOUND) return { status, code: 'NOT_FOUND', message };
      if (status === HttpStatus.UNAUTHORIZED) return { status, code: 'UNAUTHORIZED', message };
      if (status === HttpStatus.FORBIDDEN) return { status, code: 'FORBIDDEN', message };
      if (status === HttpStatus.TOO_MANY_REQUESTS) return { status, code: 'RATE_LIMITED', message };
      if (status < 500) return { status, code: 'INVALID_REQUEST', message };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        status: 503,
        code: 'UNAVAILABLE',
        message: 'the database is unavailable; nothing was changed',
      };
    }
    const parseError = exception as { type?: string; status?: number; message?: string };
    if (parseError?.type === 'entity.parse.failed' || parseError?.type === 'entity.too.large') {
      return {
        status: parseError.status ?? 400,
        code: 'INVALID_REQUEST',
        message: 'the body is not valid JSON',
      };
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return { status: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
  }
}
