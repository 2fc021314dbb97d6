import { ValidationPipe } from '@nestjs/common';
import { ValidationError } from 'class-validator';
import type { ValidatorOptions } from 'class-validator';
import { FieldProblem, InvalidInputError } from '@app/vocabulary';
import { QUERY_NUMBER_RULE } from './strict-input.decorators';

/** The rule class-validator gives a field that no DTO declares. */
const UNKNOWN_FIELD = 'whitelistValidation';
const NOT_NULL = 'isNotNull';
const REQUIRED = 'isDefined';
const SINGLE_VALUE = 'isSingleValue';
const IS_OBJECT = 'isObject';
const NOT_NESTABLE = 'nestedValidation';

/**
 * Rules that say what kind of value a field takes. When one of them fails, the field's other
 * rules (ranges, lengths, sizes) fail too, only because the value is of the wrong kind
 * ("true" is "not less than 1" for `@Min(1)`), so they are left out of the answer.
 */
const KIND_RULES: ReadonlySet<string> = new Set([
  REQUIRED,
  'isString',
  'isNumber',
  'isInt',
  'isBoolean',
  'isArray',
  IS_OBJECT,
  QUERY_NUMBER_RULE,
]);

/** Declared types of fields that take one value (read from TypeScript's decorator metadata). */
const SCALAR_TYPES: ReadonlySet<unknown> = new Set([String, Number, Boolean]);

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

function isScalarField(holder: object, property: string): boolean {
  // ts-jest transpiles file by file: there a field typed by an imported alias reads as Object and
  // is not taken for a scalar; the built API has the full types.
  return SCALAR_TYPES.has(Reflect.getMetadata('design:type', holder, property));
}

/**
 * Keeps, for each field, the rules that tell the caller what to fix:
 * - a list given for a field of one value (a query parameter repeated, ?limit=1&limit=2, arrives
 *   as a list) is reported as such, not as every rule the list breaks;
 * - a missing field is reported as required (with the DTO's own `@IsDefined()` message if any),
 *   not as every rule that `undefined` breaks;
 * - when a kind rule fails (see KIND_RULES), the field's other rules are left out.
 */
function focusOnCauses(errors: readonly ValidationError[], holder: unknown): void {
  if (typeof holder !== 'object' || holder === null) return;
  for (const error of errors) {
    const value: unknown = (holder as Record<string, unknown>)[error.property];
    const constraints = error.constraints;
    if (constraints !== undefined && !(UNKNOWN_FIELD in constraints)) {
      error.constraints = focusedConstraints(holder, error.property, value, constraints);
    }
    if (error.constraints !== undefined && IS_OBJECT in error.constraints && error.children) {
      // `@IsObject({ each: true })` has named the items that are not objects already.
      error.children = error.children.filter((child) => !onlyNotNestable(child));
    }
    focusOnCauses(error.children ?? [], value);
  }
}

/** class-validator's "must be either object or array" for an item `@ValidateNested()` skipped. */
function onlyNotNestable(error: ValidationError): boolean {
  const rules = Object.keys(error.constraints ?? {});
  return rules.length === 1 && rules[0] === NOT_NESTABLE && (error.children ?? []).length === 0;
}

function focusedConstraints(
  holder: object,
  property: string,
  value: unknown,
  constraints: Record<string, string>,
): Record<string, string> {
  if (Array.isArray(value) && isDtoInstance(holder) && isScalarField(holder, property)) {
    return { [SINGLE_VALUE]: 'was given more than once (or as a list): give one value' };
  }
  if (value === undefined) {
    return { [REQUIRED]: constraints[REQUIRED] ?? 'is required' };
  }
  const kind = Object.entries(constraints).filter(([rule]) => KIND_RULES.has(rule));
  return kind.length > 0 ? Object.fromEntries(kind) : constraints;
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
 * every problem names the field and the rule that matters (`InvalidInputError`, answered 400).
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
    focusOnCauses(errors, object);
    const reported = new Set(errors.map((error) => error.property));
    return [...errors, ...nullFieldErrors(object, reported)];
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe();
}
