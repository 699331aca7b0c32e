import { BadRequestException, type ValidationError, ValidationPipe } from '@nestjs/common';

/** Flattens nested errors into Nest's "path.to.field message" strings, naming every bad field. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    // class-validator names only the leaf property; name the whole path so the field is unambiguous.
    const own = Object.values(error.constraints ?? {}).map((message) => {
      if (!parent) return message;
      if (message.startsWith(`${error.property} `)) return `${parent}.${message}`;
      const each = `each value in ${error.property} `;
      return message.startsWith(each) ? `each value in ${path} ${message.slice(each.length)}` : message;
    });
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

/** The one validation pipe: unknown fields are refused, not silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new BadRequestException(flattenValidationErrors(errors)),
  });
}
