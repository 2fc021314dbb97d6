import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { QueryNumber } from '../common/strict-input.decorators';

export class SearchCompaniesQueryDto {
  /**
   * Beginnings of words of the company's name, any case: "acme" finds "ACME Trading Ltd" and
   * "Harbour Acmelite plc", "harb acm" only the second; or the exact business id. Punctuation is
   * ignored (no wildcards or patterns).
   */
  @ApiProperty({ example: 'acme', minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q!: string;

  /** Most companies per page. */
  @ApiPropertyOptional({ type: 'integer', default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @QueryNumber()
  @Min(1)
  @Max(100)
  limit: number = 20;

  /** nextCursor of the previous page of the same search. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  cursor?: string;
}
