import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IDENTIFIER_KINDS } from '@app/vocabulary';
import type { IdentifierKind } from '@app/vocabulary';

const list = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
    : value;

export class ListRingsQueryDto {
  /** Most rings answered, largest first (most customers, then most members); all when absent. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, example: 5 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  /** Only rings with one of these accounts (comma-separated account ids). */
  @ApiPropertyOptional({ type: String, example: 'account:SYNB:0123456789' })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @IsString({ each: true })
  accounts?: string[];

  /** Identifiers used by more accounts are hubs and ignored (default from settings). */
  @ApiPropertyOptional({ type: 'integer', minimum: 2 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(100000)
  hubCap?: number;

  /** Identifiers two accounts must share to be linked (default 2). */
  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  minShared?: number;

  /** Fewest customers in a ring (default 3). */
  @ApiPropertyOptional({ type: 'integer', minimum: 2 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(100000)
  minMembers?: number;

  /** Identifier kinds considered (comma-separated; default all but address). */
  @ApiPropertyOptional({ type: String, example: 'device,phone,email' })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @IsIn(IDENTIFIER_KINDS, { each: true })
  kinds?: IdentifierKind[];
}
