import { type ArgumentMetadata, BadRequestException, type ValidationError, ValidationPipe } from '@nestjs/common';

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

/**
 * Where a NUL character sits in a value from the wire (a string, or a key or string anywhere inside):
 * its path ("firstName", "steps.0.subject", "attributes" for a key), or undefined. PostgreSQL cannot
 * store NUL in text (SQLSTATE 22021), so it is refused at the door, naming the field.
 */
export function nulFieldIn(root: unknown, rootPath = '', rootName = 'the body'): string | undefined {
  const pending: Array<[unknown, string]> = [[root, rootPath]];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\0')) return path;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, item] of Object.entries(value)) {
      const itemPath = path ? `${path}.${key}` : key;
      if (key.includes('\0')) return `a key of ${path || rootName}`;
      pending.push([item, itemPath]);
    }
  }
  return undefined;
}

/** Class-validator's pipe, after a check that no body, query or path parameter carries a NUL character. */
class AppValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const field = nulFieldIn(value, metadata.data ?? '', `the ${metadata.type}`);
      if (field !== undefined) {
        const name = field || metadata.type;
        throw new BadRequestException([`${name} must not contain the NUL character (\\u0000)`]);
      }
    }
    return super.transform(value, metadata);
  }
}

/** The one validation pipe: unknown fields are refused, not silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new BadRequestException(flattenValidationErrors(errors)),
  });
}
