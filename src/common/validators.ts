import { IsObject, registerDecorator, ValidateIf, ValidateNested, type ValidationOptions } from 'class-validator';
import { DateTime } from 'luxon';
import { isValidTimezone, timezoneProblem } from './timezones.js';

/** An ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`): without one, a time means nothing. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The instants the API accepts. Every date that enters goes through the engine's calendar arithmetic and
 * into PostgreSQL: year 1 in New York is year 0 locally, which PostgreSQL refuses, and one such value used
 * to stop every pass; 9999 blocked a contact's re-enrollment for good. 1970-2200 holds every real campaign.
 */
export const EARLIEST_INSTANT = new Date('1970-01-01T00:00:00Z');
export const LATEST_INSTANT = new Date('2200-01-01T00:00:00Z');

/** What is wrong with a time given to the API, or undefined when it is acceptable. */
export function instantProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value)) {
    return 'must be an ISO 8601 time with an offset, such as 2026-11-24T10:00:00Z';
  }
  // luxon refuses what Date would roll over silently (2026-02-30 is not March 2).
  const parsed = DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid)
    return `must be a real calendar date and time (${parsed.invalidExplanation ?? parsed.invalidReason})`;
  const time = parsed.toMillis();
  if (time < EARLIEST_INSTANT.getTime() || time >= LATEST_INSTANT.getTime()) {
    return 'must be from 1970-01-01T00:00:00Z to before 2200-01-01T00:00:00Z';
  }
  return undefined;
}

export function IsBoundedInstant(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBoundedInstant',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => instantProblem(value) === undefined,
        defaultMessage: (args) => `${args?.property} ${instantProblem(args?.value) ?? 'is not acceptable'}`,
      },
    });
}

export const KEY_PATTERN = /^[a-z0-9][a-z0-9-_]{0,63}$/;
export const KEY_MESSAGE =
  'must be a key: lower-case letters, digits, - and _, starting with a letter or digit, up to 64';

/** Canonical BCP 47 tag (`ro-md` → `ro-MD`), or undefined when the tag is not well-formed. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical;
  } catch {
    return undefined;
  }
}

export function IsLocaleTag(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isLocaleTag',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a BCP 47 language tag such as ru, ro-MD or en', ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && value.length <= 35 && canonicalLocale(value) !== undefined,
      },
    });
}

export function IsIanaTimezone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isIanaTimezone',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= 64 && isValidTimezone(value),
        defaultMessage: (args) =>
          `${args?.property} ${
            typeof args?.value === 'string' && args.value.length <= 64
              ? timezoneProblem(args.value)
              : 'must be an IANA time zone such as Europe/Chisinau'
          }`,
      },
    });
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Problems of a free-form JSON object (size, depth, dangerous keys); empty when it is acceptable. */
export function jsonObjectProblems(value: unknown, maxBytes: number, maxDepth: number): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['must be a JSON object'];
  if (Buffer.byteLength(JSON.stringify(value)) > maxBytes) return [`must be at most ${maxBytes} bytes as JSON`];
  const problems: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (typeof node !== 'object' || node === null) return;
    if (depth > maxDepth) {
      problems.push(`must not nest deeper than ${maxDepth} levels`);
      return;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) problems.push(`must not use the key "${key}"`);
      visit((node as Record<string, unknown>)[key], depth + 1);
    }
  };
  visit(value, 1);
  return [...new Set(problems)];
}

export function IsBoundedJsonObject(
  maxBytes: number,
  maxDepth: number,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isBoundedJsonObject',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => jsonObjectProblems(value, maxBytes, maxDepth).length === 0,
        defaultMessage: (args) => `${args?.property} ${jsonObjectProblems(args?.value, maxBytes, maxDepth).join('; ')}`,
      },
    });
}

/**
 * Like @IsOptional, but only for a missing field: @IsOptional also waves `null` through, which reached the
 * database as a 500 for fields that have no meaning as null (found by the property tests).
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/**
 * @ValidateNested for a field that holds an object (or, with `each`, a list of objects). ValidateNested alone
 * walks an array found where an object belongs as if it were a list of them, so `[]` passed as a valid
 * variant, step or contact and reached the services as a 500 (found by the property tests).
 */
export function ValidateNestedObject(options: { each?: boolean } = {}): PropertyDecorator {
  return (target, propertyName) => {
    IsObject({ each: options.each })(target, propertyName);
    ValidateNested({ each: options.each })(target, propertyName);
  };
}
