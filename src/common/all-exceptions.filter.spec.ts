import { type ArgumentsHost, BadRequestException, NotFoundException } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter.js';
import { DomainException } from './domain-exception.js';

enum ThingErrorCode {
  NOT_FOUND = 'thing.not_found',
  UNMAPPED = 'thing.unmapped',
}

class ThingException extends DomainException<ThingErrorCode> {
  constructor(code: ThingErrorCode, detail: string | string[]) {
    super(code, detail);
  }
}

/** The app passes ERROR_STATUSES; this stand-in leaves one code without a status on purpose. */
const STATUSES = { [ThingErrorCode.NOT_FOUND]: 404 };

/** What the filter answers, captured from a stand-in response. */
function reply(exception: unknown, headersSent = false) {
  const sent: { status?: number; body?: unknown; destroyed: boolean } = { destroyed: false };
  const response = {
    headersSent,
    writableEnded: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
    },
    destroy() {
      sent.destroyed = true;
    },
  };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ id: 'req-1', method: 'POST', path: '/v1/contacts' }),
      getResponse: () => response,
    }),
  } as unknown as ArgumentsHost;
  const filter = new AllExceptionsFilter(STATUSES);
  // The 5xx are logged with the error; keep the test's output clean.
  (filter as unknown as { logger: { error: () => void; warn: () => void } }).logger = { error() {}, warn() {} };
  filter.catch(exception, host);
  return sent;
}

/** A driver error as TypeORM wraps it (QueryFailedError keeps the driver's in `driverError`). */
function databaseError(code: string, message: string): Error {
  return Object.assign(new Error(message), { driverError: Object.assign(new Error(message), { code }) });
}

describe('AllExceptionsFilter', () => {
  it('answers a full disk (SQLSTATE 53100) with 507 and no internals', () => {
    const sent = reply(databaseError('53100', 'could not extend file "base/16384/2619": No space left on device'));
    expect(sent.status).toBe(507);
    expect(sent.body).toEqual({
      statusCode: 507,
      error: 'Insufficient Storage',
      message: 'the database is out of disk space',
      code: 'database.out_of_space',
      requestId: 'req-1',
    });
  });

  it('answers a NUL the database refused (SQLSTATE 22021) with 400', () => {
    const sent = reply(databaseError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'));
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/NUL/) });
  });

  it('answers a reference to a row deleted meanwhile (SQLSTATE 23503) with 400, as an unknown key is', () => {
    const sent = reply(databaseError('23503', 'a variant of step reminder names a template that does not exist'));
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({
      statusCode: 400,
      message: 'a record it names does not exist (deleted meanwhile?)',
    });
  });

  it("answers a feature's exception with its code's status and the code beside the usual fields", () => {
    const sent = reply(new ThingException(ThingErrorCode.NOT_FOUND, 'thing 7 not found'));
    expect(sent.status).toBe(404);
    expect(sent.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'thing 7 not found',
      code: 'thing.not_found',
      requestId: 'req-1',
    });
  });

  it('keeps every problem of an exception that lists them', () => {
    const sent = reply(new ThingException(ThingErrorCode.NOT_FOUND, ['a is wrong', 'b is wrong']));
    expect(sent.body).toMatchObject({ message: ['a is wrong', 'b is wrong'], code: 'thing.not_found' });
  });

  it('answers a code without a status as a bare 500, not as whatever the exception says', () => {
    const sent = reply(new ThingException(ThingErrorCode.UNMAPPED, 'internal detail'));
    expect(sent.status).toBe(500);
    expect(sent.body).toMatchObject({ statusCode: 500, error: 'Internal Server Error', code: 'thing.unmapped' });
  });

  it('gives errors no feature named a code by their status', () => {
    expect(reply(new BadRequestException(['name must be a string'])).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['name must be a string'],
      code: 'validation',
      requestId: 'req-1',
    });
    expect(reply(new NotFoundException('Cannot GET /nowhere')).body).toMatchObject({ code: 'not_found' });
    expect(reply(new Error('boom')).body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
      code: 'internal',
      requestId: 'req-1',
    });
    expect(reply(databaseError('08006', 'connection lost')).body).toMatchObject({
      statusCode: 503,
      code: 'database.unavailable',
    });
  });

  it('cuts a response whose headers already went out instead of leaving it open', () => {
    const sent = reply(new Error('a page failed mid-export'), true);
    expect(sent.destroyed).toBe(true);
    expect(sent.status).toBeUndefined();
  });
});
