import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, Max, Min } from 'class-validator';
import { IDENTIFIER_KINDS } from '@app/vocabulary';
import type { IdentifierKind } from '@app/vocabulary';
import { QueryNumber } from '../common/strict-input.decorators';

const list = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
    : value;

/**
 * The largest hubCap a caller may ask for. A search links every pair of accounts sharing an
 * identifier, so its work grows with the square of the accounts per identifier: an identifier
 * used by 1,000 accounts is half a million pairs, and one shared that widely (a public Wi-Fi, a
 * call centre) says nothing about a ring. The default (DETECTORS_RING_HUB_CAP) is 10.
 */
export const MAX_HUB_CAP = 1000;

export class ListRingsQueryDto {
  /** Most rings answered, largest first (most customers, then most members); all when absent. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, example: 5 })
  @IsOptional()
  @QueryNumber()
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
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 2,
    maximum: MAX_HUB_CAP,
    description: `Identifiers used by more accounts than this are hubs and ignored (default DETECTORS_RING_HUB_CAP). At most ${MAX_HUB_CAP}: the search's work grows with the square of it, and an identifier shared more widely says nothing about a ring.`,
  })
  @IsOptional()
  @QueryNumber()
  @Min(2)
  @Max(MAX_HUB_CAP, {
    message: `$property must not be greater than ${MAX_HUB_CAP}: an identifier used by more accounts is a hub (a public Wi-Fi, a call centre), and the search's work grows with the square of it`,
  })
  hubCap?: number;

  /** Identifiers two accounts must share to be linked (default 2). */
  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  @IsOptional()
  @QueryNumber()
  @Min(1)
  @Max(100)
  minShared?: number;

  /** Fewest customers in a ring (default 3). */
  @ApiPropertyOptional({ type: 'integer', minimum: 2 })
  @IsOptional()
  @QueryNumber()
  @Min(2)
  @Max(100000)
  minMembers?: number;

  /** Identifier kinds considered (comma-separated; default all but address). */
  @ApiPropertyOptional({ type: String, example: 'device,phone,email' })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @ArrayNotEmpty({
    message: `kinds must name at least one identifier kind (${IDENTIFIER_KINDS.join(', ')}), or be left out for the default`,
  })
  @IsIn(IDENTIFIER_KINDS, { each: true })
  kinds?: IdentifierKind[];
}
