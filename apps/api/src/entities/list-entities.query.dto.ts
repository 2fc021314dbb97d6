import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Max, Min } from 'class-validator';
import { BROWSABLE_VERTEX_LABELS, VertexLabel } from '@app/vocabulary';
import { QueryNumber } from '../common/strict-input.decorators';

export class ListEntitiesQueryDto {
  /** Which kind of entity to list (the audit trail has its own, admin-only endpoint). */
  @ApiProperty({ enum: BROWSABLE_VERTEX_LABELS, example: 'Account' })
  @IsIn(BROWSABLE_VERTEX_LABELS)
  label!: VertexLabel;

  /** Cursor from the previous page's `nextCursor`. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  cursor?: string;

  /** Page size. */
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @QueryNumber()
  @Min(1)
  @Max(500)
  limit: number = 50;
}

export class GetEntityQueryDto {
  /** Hops of neighbourhood returned with the entity (0 = none). */
  @ApiPropertyOptional({ type: 'integer', default: 1, minimum: 0, maximum: 2 })
  @IsOptional()
  @QueryNumber()
  @Min(0)
  @Max(2)
  depth: number = 1;

  /** Most edges returned in the neighbourhood. */
  @ApiPropertyOptional({ type: 'integer', default: 200, minimum: 1, maximum: 2000 })
  @IsOptional()
  @QueryNumber()
  @Min(1)
  @Max(2000)
  limit: number = 200;
}
