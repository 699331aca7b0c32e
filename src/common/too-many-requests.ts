import { HttpException, HttpStatus } from '@nestjs/common';

/** A 429 in the API's error shape. */
export function tooMany(message: string): HttpException {
  return new HttpException(
    { statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
