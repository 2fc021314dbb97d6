import { ValidationPipe } from '@nestjs/common';
import { ValidationError } from 'class-validator';
import type { ValidatorOptions } from 'class-validator';
import { FieldProblem, InvalidInputError } from '@app/vocabulary';

/** The rule class-validator gives a field that no DTO declares. */
const UNKNOWN_FIELD = 'whitelistValidation';
const NOT_NULL = 'isNotNull';

/**
 * A rule without the field name class-validator puts in front of its messages
 * ("limit must not be less than 1" -> "must not be less than 1"). Plain string work: field names
 * come from the request and must never become a regular expression.
 */
function ruleText(property: string, constraint: string, message: string): string {
  if (constraint === UNKNOWN_FIELD) return 'is not a known field of this request';
  const prefix = `${property} `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

export function problemsOf(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent === '' ? error.property : `${parent}.${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      rule: ruleText(error.property, constraint, message),
    }));
    return [...own, ...problemsOf(error.children ?? [], field)];
  });
}

/** A DTO instance (a class of ours), as opposed to a free-form JSON object or array. */
function isDtoInstance(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype !== Object.prototype && prototype !== null && !(value instanceof Date);
}

/**
 * `null` given for a declared field. class-validator's `@IsOptional()` lets `null` through as
 * if the field were absent, and services then read it as a value; the API refuses it instead:
 * leave an optional field out. Free-form JSON inside a field (BODS statements, rule parameters)
 * is not walked: its own checks decide.
 */
function nullFieldErrors(
  object: object,
  alreadyReported: ReadonlySet<string>,
  depth = 0,
): ValidationError[] {
  if (depth > 32) return [];
  const errors: ValidationError[] = [];
  for (const [property, value] of Object.entries(object)) {
    if (alreadyReported.has(property)) continue;
    const error = new ValidationError();
    error.property = property;
    error.children = [];
    if (value === null) {
      error.constraints = { [NOT_NULL]: 'must not be null: leave the field out instead' };
    } else if (isDtoInstance(value)) {
      error.children = nullFieldErrors(value, new Set(), depth + 1);
    } else if (Array.isArray(value)) {
      error.children = value.flatMap((item, index) => {
        if (!isDtoInstance(item)) return [];
        const child = new ValidationError();
        child.property = String(index);
        child.children = nullFieldErrors(item, new Set(), depth + 1);
        return child.children.length > 0 ? [child] : [];
      });
    }
    if (error.constraints !== undefined || error.children.length > 0) errors.push(error);
  }
  return errors;
}

/**
 * The global pipe: unknown fields are refused by name, declared fields may not be `null`, and
 * every problem names the field and the rule (`InvalidInputError`, answered 400).
 */
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors: ValidationError[]) => {
        const problems = problemsOf(errors);
        return new InvalidInputError(
          `The request is invalid: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
          problems,
        );
      },
    });
  }

  protected override async validate(
    object: object,
    validatorOptions?: ValidatorOptions,
  ): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    const reported = new Set(errors.map((error) => error.property));
    return [...errors, ...nullFieldErrors(object, reported)];
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe();
}
