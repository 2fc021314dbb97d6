import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblem, InvalidInputError } from '@app/vocabulary';

function flatten(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent === '' ? error.property : `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((rule) => ({ field, rule }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Global validation: unknown fields are refused, every problem names the field and the rule. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const problems = flatten(errors);
      return new InvalidInputError(
        `The request is invalid: ${problems.map((p) => `${p.field} ${p.rule.replace(new RegExp(`^${p.field.split('.').pop() ?? ''} `), '')}`).join('; ')}`,
        problems,
      );
    },
  });
}
