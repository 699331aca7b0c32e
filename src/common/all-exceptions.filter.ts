import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CommonErrorCode, DomainException } from './domain-exception.js';

interface ErrorBody {
  [field: string]: unknown;
  statusCode: number;
  error: string;
  message: string | string[];
  /** What a client matches on: a feature's (`contact.not_found`) or a common one (`validation`). */
  code?: string;
  requestId?: string;
}

/** Each error code's HTTP status; the app passes ERROR_STATUSES (src/error-statuses.ts), typed over every code. */
export type ErrorStatuses = Readonly<Record<string, number>>;

/**
 * One place where errors become HTTP: Nest's shape for expected errors, a feature's exception given the status
 * of its code, and for anything else a bare 500 whose details (stack, SQL) go only to the log, tied to the reply
 * by the request id. Every body carries a `code`.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  constructor(private readonly statuses: ErrorStatuses) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request & { id?: string }>();
    const response = context.getResponse<Response>();
    const requestId = request.id === undefined ? undefined : String(request.id);
    const body = toBody(exception, this.statuses);
    body.code ??= codeOf(body.statusCode);
    body.requestId = requestId;
    if (databaseRefusal(exception)) {
      // The database's constraints held where validation should have refused first: worth fixing.
      this.logger.warn({ err: exception, requestId, path: request.path }, 'a database constraint refused the request');
    }
    if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, requestId, method: request.method, path: request.path },
        `Unhandled error on ${request.method} ${request.path}`,
      );
    }
    // An error after the headers went out cannot be reported: cut the transfer rather than leave it hanging.
    if (response.headersSent) {
      if (!response.writableEnded) response.destroy();
      return;
    }
    response.status(body.statusCode).json(body);
  }
}

function toBody(exception: unknown, statuses: ErrorStatuses): ErrorBody {
  if (exception instanceof DomainException) {
    // A code without a status is a programming error (the type of ERROR_STATUSES prevents it): a 500, logged.
    const status = statuses[exception.code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
    return { statusCode: status, error: reasonPhrase(status), message: exception.detail, code: exception.code };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const payload = exception.getResponse();
    if (typeof payload === 'object' && payload !== null) {
      const record = payload as Record<string, unknown>;
      // Extra fields of an exception's payload (e.g. health's `db`) are part of the reply.
      return {
        ...record,
        statusCode: status,
        error: typeof record.error === 'string' ? record.error : reasonPhrase(status),
        message:
          Array.isArray(record.message) || typeof record.message === 'string'
            ? (record.message as string | string[])
            : exception.message,
      };
    }
    return { statusCode: status, error: reasonPhrase(status), message: String(payload) };
  }
  const refusal = databaseRefusal(exception);
  if (refusal) return refusal;
  if (sqlState(exception)?.code === '53100') {
    return {
      statusCode: 507,
      error: 'Insufficient Storage',
      message: 'the database is out of disk space',
      code: CommonErrorCode.DATABASE_OUT_OF_SPACE,
    };
  }
  if (sqlState(exception)?.code === '57014') {
    // A statement cancelled by DATABASE_STATEMENT_TIMEOUT_MS (or by an operator): the database is fine.
    return {
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the database took too long to answer and the query was cancelled; narrow the request or try later',
      code: CommonErrorCode.DATABASE_TIMEOUT,
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the database is unavailable; try again',
      code: CommonErrorCode.DATABASE_UNAVAILABLE,
    };
  }
  // body-parser errors are not HttpExceptions but carry a status (413 too large, 400 bad JSON).
  const status = httpStatusOf(exception);
  if (status !== undefined && status < 500) {
    const original = exception instanceof Error ? exception.message : '';
    const message =
      status === 413
        ? 'Request body is too large'
        : original.startsWith('body must not')
          ? original
          : 'Request body is not valid JSON';
    return { statusCode: status, error: reasonPhrase(status), message };
  }
  return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };
}

/** The code of an error no feature named: by its status (every 400 that reaches here is a validation refusal). */
function codeOf(status: number): CommonErrorCode {
  switch (status) {
    case 400:
      return CommonErrorCode.VALIDATION;
    case 401:
      return CommonErrorCode.UNAUTHORIZED;
    case 403:
      return CommonErrorCode.FORBIDDEN;
    case 404:
      return CommonErrorCode.NOT_FOUND;
    case 409:
      return CommonErrorCode.CONFLICT;
    case 413:
      return CommonErrorCode.PAYLOAD_TOO_LARGE;
    case 415:
      return CommonErrorCode.UNSUPPORTED_MEDIA_TYPE;
    case 422:
      return CommonErrorCode.UNPROCESSABLE;
    case 429:
      return CommonErrorCode.TOO_MANY_REQUESTS;
    case 500:
      return CommonErrorCode.INTERNAL;
    case 503:
      return CommonErrorCode.UNAVAILABLE;
    default:
      return CommonErrorCode.ERROR;
  }
}

function httpStatusOf(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const status =
    (exception as { status?: unknown; statusCode?: unknown }).status ??
    (exception as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (typeof name !== 'string') return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** SQLSTATEs that mean "this input is wrong", not "the server is broken": the last line behind validation. */
const INPUT_REFUSALS: Record<string, { status: number; message: (column?: string) => string }> = {
  '23502': { status: 400, message: (column) => `${column ?? 'a required field'} must not be null` },
  '23505': { status: 409, message: () => 'a record with this identity already exists' },
  // A key's row deleted between the request's checks and its write (a template deleted while a sequence naming it
  // was saved): what the checks answer with 400 had they run a moment later.
  '23503': { status: 400, message: () => 'a record it names does not exist (deleted meanwhile?)' },
  '23514': { status: 400, message: () => 'a value is out of the allowed range' },
  '22001': { status: 400, message: () => 'a value is too long' },
  '22003': { status: 400, message: () => 'a number is out of range' },
  '22007': { status: 400, message: () => 'a date or time has the wrong format' },
  '22008': { status: 400, message: () => 'a date or time is out of range' },
  '22P02': { status: 400, message: () => 'a value has the wrong format' },
  '22P05': { status: 400, message: () => 'a text value holds a character the database cannot store' },
  '54001': { status: 400, message: () => 'the request is too deeply nested' },
  '22021': { status: 400, message: () => 'a text value holds a NUL character, which cannot be stored' },
};

function sqlState(exception: unknown): { code: string; column?: string } | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const source = (exception as { driverError?: unknown }).driverError ?? exception;
  const { code, column } = source as { code?: unknown; column?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
    ? { code, column: typeof column === 'string' ? column : undefined }
    : undefined;
}

function databaseRefusal(exception: unknown): ErrorBody | undefined {
  const state = sqlState(exception);
  const refusal = state && INPUT_REFUSALS[state.code];
  if (!refusal) return undefined;
  return { statusCode: refusal.status, error: reasonPhrase(refusal.status), message: refusal.message(state.column) };
}

/** A lost or refused database connection: the request may be retried once it is back. */
function isDatabaseUnavailable(exception: unknown): boolean {
  const state = sqlState(exception);
  if (state) return /^(08|57P0)/.test(state.code);
  const message = exception instanceof Error ? exception.message : '';
  return /Connection terminated|not queryable|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect/i.test(
    message,
  );
}
