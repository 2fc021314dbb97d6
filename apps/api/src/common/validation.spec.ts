import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { InvalidInputError } from '@app/vocabulary';
import { ApiValidationPipe } from './validation';

class InnerDto {
  @IsOptional()
  @IsInt()
  depth?: number;
}

class SampleDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  limit?: number;

  @IsOptional()
  @IsString()
  label?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => InnerDto)
  options?: InnerDto;
}

async function problemsFor(value: unknown, type: 'body' | 'query' = 'body'): Promise<unknown> {
  try {
    await new ApiValidationPipe().transform(value, { type, metatype: SampleDto });
  } catch (error: unknown) {
    if (error instanceof InvalidInputError) return error.details;
    throw error;
  }
  return undefined;
}

describe('ApiValidationPipe', () => {
  it('refuses unknown fields by name, whatever characters the name holds', async () => {
    // Names that once became a regular expression: "(" threw, the long one took seconds.
    const hostile = ['(', '[', '\\', `${'!'.repeat(30)}|^\\w+ (\\W\\W|\\W)*Q{2}`];
    for (const name of hostile) {
      expect(await problemsFor({ [name]: 'x' }, 'query')).toEqual({
        problems: [{ field: name, rule: 'is not a known field of this request' }],
      });
    }
  });

  it('names the field and the rule without repeating the field name', async () => {
    expect(await problemsFor({ limit: 0 })).toEqual({
      problems: [{ field: 'limit', rule: 'must not be less than 1' }],
    });
  });

  it('refuses null for a declared field, in nested objects too, and accepts it left out', async () => {
    expect(await problemsFor({ label: null })).toEqual({
      problems: [{ field: 'label', rule: 'must not be null: leave the field out instead' }],
    });
    expect(await problemsFor({ options: { depth: null } })).toEqual({
      problems: [{ field: 'options.depth', rule: 'must not be null: leave the field out instead' }],
    });
    expect(await problemsFor({ options: {} })).toBeUndefined();
    expect(await problemsFor({})).toBeUndefined();
  });
});
