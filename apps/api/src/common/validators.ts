import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON object whose every value is itself a JSON object (not null, not an array), such as
 * per-rule parameter overrides `{ "aml.fan-out": { "minCounterparties": 8 } }`.
 * (`@IsObject({ each: true })` does not look inside plain objects.)
 */
export function IsObjectOfObjects(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isObjectOfObjects',
      validator: {
        validate: (value: unknown) =>
          isPlainObject(value) && Object.values(value).every(isPlainObject),
        defaultMessage: buildMessage(
          (prefix) => `${prefix}$property must be an object whose every value is an object`,
          options,
        ),
      },
    },
    options,
  );
}
