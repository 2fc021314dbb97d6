import { Transform } from 'class-transformer';
import { buildMessage, isISO8601, ValidateBy } from 'class-validator';
import type { ValidationArguments, ValidationOptions } from 'class-validator';

/*
 * Strict reading of request input: numbers in query strings, free text and lists of objects.
 * Each rule names the field and says what to send instead.
 */

/** Name of the rule of `@QueryNumber()`; the validation pipe counts it as a kind rule. */
export const QUERY_NUMBER_RULE = 'isQueryNumber';

export interface QueryNumberOptions {
  /** The number may have a decimal fraction ("0.75"); default: whole numbers only. */
  fraction?: boolean;
  /** The number may start with a minus sign ("-3"); default: no sign. */
  negative?: boolean;
}

/** The written forms each kind of query number accepts: decimal digits only, no exponent. */
function queryNumberPattern(options: QueryNumberOptions): RegExp {
  if (options.fraction === true) {
    return options.negative === true ? /^-?\d+(?:\.\d+)?$/ : /^\d+(?:\.\d+)?$/;
  }
  return options.negative === true ? /^-?\d+$/ : /^\d+$/;
}

function queryNumberRule(options: QueryNumberOptions): string {
  const fraction = options.fraction === true;
  const negative = options.negative === true;
  const extras = [
    ...(fraction ? ['an optional decimal point'] : []),
    ...(negative ? ['a minus sign if negative'] : []),
  ];
  const written = extras.length > 0 ? `with ${extras.join(' and ')}` : 'only';
  const refused = negative ? 'no plus sign' : 'no sign';
  const example = `${negative ? '-' : ''}${fraction ? '0.75' : '50'}`;
  return (
    `must be ${fraction ? 'a number' : 'a whole number'} written in decimal digits ${written} ` +
    `(${refused}, spaces, exponent or 0x prefix), such as ${example}`
  );
}

/**
 * A number given in a query string. The text is converted only when it is plain decimal digits
 * (with a minus sign and a fraction where `options` allows them); anything else, including an
 * empty value, is left as text and refused with a message that names the field and the rule.
 * (`@Type(() => Number)` would read "0x10" as 16, "1e1" as 10 and "" as 0.)
 *
 * Use it for query DTOs only: a JSON body carries numbers as JSON numbers, checked with `@IsInt()`
 * or `@IsNumber()`. Ranges stay with `@Min()` / `@Max()`.
 */
export function QueryNumber(options: QueryNumberOptions = {}): PropertyDecorator {
  const pattern = queryNumberPattern(options);
  const rule = queryNumberRule(options);
  const convert = Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && pattern.test(value) ? Number(value) : value,
  );
  const check = ValidateBy({
    name: QUERY_NUMBER_RULE,
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (options.fraction === true || Number.isInteger(value)) &&
        (options.negative === true || value >= 0),
      defaultMessage: buildMessage((prefix) => `${prefix}$property ${rule}`),
    },
  });
  return (target: object, propertyKey: string | symbol): void => {
    convert(target, propertyKey);
    check(target, propertyKey);
  };
}

/**
 * Text that is not only whitespace ("   " is refused). An empty string is left to the field's
 * other rules: `@MinLength(1)` refuses it, while some fields take "" to clear a value.
 */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotBlank',
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'string' || value === '' || value.trim() !== '',
        defaultMessage: buildMessage(
          (prefix) => `${prefix}$property must not be blank: write some text, not only spaces`,
          options,
        ),
      },
    },
    options,
  );
}

/** Tab, line feed and carriage return: the control characters that free text may hold. */
const ALLOWED_CONTROLS: ReadonlySet<number> = new Set([0x09, 0x0a, 0x0d]);

/**
 * Index of the first control character (C0 other than tab and line breaks, DEL, C1) or
 * bidirectional embedding, override or isolate (U+202A to U+202E, U+2066 to U+2069).
 */
function firstControlCharacter(text: string): number {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && !ALLOWED_CONTROLS.has(code)) return index;
    if (code >= 0x7f && code <= 0x9f) return index;
    if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return index;
  }
  return -1;
}

/**
 * Free text without control characters such as NUL (U+0000): they are invisible in the web app
 * and in reports, and some stores and tools cut the text at them. Tab and line breaks are allowed.
 * Nor bidirectional overrides and isolates, which show a reader another text than the one stored
 * (an outside review put U+202E in a case title and saw it reversed in the HTML report; the
 * importers refuse them already).
 */
export function HasNoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasNoControlCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || firstControlCharacter(value) < 0,
        defaultMessage: (args?: ValidationArguments) => {
          const property = args?.property ?? 'the text';
          const text: unknown = args?.value;
          if (typeof text !== 'string') return `${property} must not contain control characters`;
          const index = firstControlCharacter(text);
          const code = text.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0');
          return `${property} must not contain control characters or bidirectional overrides (U+${code} at character ${index + 1}); tab and line breaks are allowed`;
        },
      },
    },
    options,
  );
}

/** How a message names the kind of a JSON value ("an array", "a string"). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'boolean') return 'true or false';
  const kind = typeof value;
  return `${kind === 'object' ? 'an' : 'a'} ${kind}`;
}

function isJsonObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Message of `@IsObject()` on a field holding one nested object:
 * "options must be a JSON object, not an array".
 */
export function objectMessage(args: ValidationArguments): string {
  return `${args.property} must be a JSON object, not ${kindOf(args.value)}`;
}

/**
 * Message of `@IsObject({ each: true })` on a list of nested objects, naming the first item that
 * is not one: "attachments must be a list of objects: attachments[0] is an array".
 * (`@ValidateNested()` alone lets an array item through without looking inside it.)
 */
export function objectsMessage(args: ValidationArguments): string {
  const items: unknown = args.value;
  if (!Array.isArray(items)) return `${args.property} must be a list of objects`;
  const index = items.findIndex((item) => !isJsonObject(item));
  return `${args.property} must be a list of objects: ${args.property}[${index}] is ${kindOf(items[index])}`;
}

/** A time of day in an ISO 8601 text that ends with its zone: Z, +hh:mm, +hhmm or +hh. */
const ZONE_AT_END = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** The rule an `@IsInstant()` value breaks, or undefined. */
function instantRule(value: unknown): string | undefined {
  if (typeof value !== 'string' || !isISO8601(value, { strict: true }))
    return 'must be an ISO 8601 date or time that exists, such as 2025-01-06T10:15:00Z';
  if (value.includes('T') && !ZONE_AT_END.test(value))
    return 'must give its time zone (Z or an offset such as +02:00) after the time of day, such as 2025-01-06T10:15:00Z';
  if (Date.parse(value) < 0)
    return 'must not be before 1970-01-01T00:00:00Z (times are kept as milliseconds since then)';
  return undefined;
}

/**
 * A moment in ISO 8601 (strict: a day that exists) from 1970 on. A time of day must carry its time zone
 * (`2025-01-06T10:15:00Z`, `…+02:00`): without one, JavaScript reads it in the server's own zone,
 * so one request would mean other moments on servers set up differently. A date alone
 * (`2025-01-06`) is midnight UTC.
 */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) => instantRule(value) === undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'the time'} ${instantRule(args?.value) ?? 'must be a moment'}`,
      },
    },
    options,
  );
}
