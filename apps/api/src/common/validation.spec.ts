import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
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

class RequiredDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  names!: string[];

  @IsInt()
  @Min(1)
  @Max(10)
  count!: number;

  @IsDefined({ message: 'title is required: name the case' })
  @IsString()
  @MaxLength(20)
  title!: string;
}

async function problemsFor(
  value: unknown,
  type: 'body' | 'query' = 'body',
  metatype: new () => object = SampleDto,
): Promise<unknown> {
  try {
    await new ApiValidationPipe().transform(value, { type, metatype });
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

  it('says a field of one value was given more than once instead of listing every rule', async () => {
    expect(await problemsFor({ limit: ['1', '2'] }, 'query')).toEqual({
      problems: [
        { field: 'limit', rule: 'was given more than once (or as a list): give one value' },
      ],
    });
    expect(await problemsFor({ label: ['a', 'b'] }, 'query')).toEqual({
      problems: [
        { field: 'label', rule: 'was given more than once (or as a list): give one value' },
      ],
    });
  });

  it('says a missing field is required instead of listing every rule', async () => {
    expect(await problemsFor({}, 'body', RequiredDto)).toEqual({
      problems: [
        { field: 'names', rule: 'is required' },
        { field: 'count', rule: 'is required' },
        { field: 'title', rule: 'is required: name the case' },
      ],
    });
  });

  it('reports only the kind a value should have when it has another kind', async () => {
    const good = { names: ['a'], count: 1, title: 't' };
    expect(await problemsFor({ ...good, count: true }, 'body', RequiredDto)).toEqual({
      problems: [{ field: 'count', rule: 'must be an integer number' }],
    });
    expect(await problemsFor({ ...good, names: 'a' }, 'body', RequiredDto)).toEqual({
      problems: [{ field: 'names', rule: 'must be an array' }],
    });
    expect(await problemsFor({ ...good, title: 7 }, 'body', RequiredDto)).toEqual({
      problems: [{ field: 'title', rule: 'must be a string' }],
    });
    // A value of the right kind still hears every rule it breaks.
    expect(await problemsFor({ ...good, names: [], count: 11 }, 'body', RequiredDto)).toEqual({
      problems: [
        { field: 'names', rule: 'must contain at least 1 elements' },
        { field: 'count', rule: 'must not be greater than 10' },
      ],
    });
  });

  it('takes a list for a list field as a list', async () => {
    expect(
      await problemsFor({ names: ['a', 'b'], count: 2, title: 't' }, 'body', RequiredDto),
    ).toBe(undefined);
    expect(
      await problemsFor({ names: ['a', 7], count: 2, title: 't' }, 'body', RequiredDto),
    ).toEqual({
      problems: [{ field: 'names', rule: 'each value in names must be a string' }],
    });
  });
});
