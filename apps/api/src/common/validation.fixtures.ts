import { InvalidInputError } from '@app/vocabulary';
import { ApiValidationPipe } from './validation';

/** What the API's validation pipe made of some input: the value a controller gets, or the 400. */
export interface Validated {
  value?: unknown;
  /** Each problem as `<field> <rule>`, as the 400 answer lists them. */
  problems?: string[];
}

const pipe = new ApiValidationPipe();

/**
 * Runs `value` through the global validation pipe as the `type` of a route whose DTO is
 * `metatype` (specs of DTOs and decorators): the value the controller would get, or the problems.
 */
export async function validated(
  metatype: new () => object,
  value: unknown,
  type: 'body' | 'query' = 'body',
): Promise<Validated> {
  try {
    return { value: (await pipe.transform(value, { type, metatype })) as unknown };
  } catch (error: unknown) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { problems: error.problems.map((p) => `${p.field} ${p.rule}`) };
  }
}
