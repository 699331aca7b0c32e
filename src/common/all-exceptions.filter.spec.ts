import type { ArgumentsHost } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter.js';

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
  const filter = new AllExceptionsFilter();
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
      requestId: 'req-1',
    });
  });

  it('answers a NUL the database refused (SQLSTATE 22021) with 400', () => {
    const sent = reply(databaseError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'));
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/NUL/) });
  });

  it('cuts a response whose headers already went out instead of leaving it open', () => {
    const sent = reply(new Error('a page failed mid-export'), true);
    expect(sent.destroyed).toBe(true);
    expect(sent.status).toBeUndefined();
  });
});
