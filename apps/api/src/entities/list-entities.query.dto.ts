import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { BROWSABLE_VERTEX_LABELS, VertexLabel } from '@app/vocabulary';

export class ListEntitiesQueryDto {
  /** Which kind of entity to list (the audit trail has its own, admin-only endpoint). */
  @IsIn(BROWSABLE_VERTEX_LABELS)
  label!: VertexLabel;

  /** Cursor from the previous page's `nextCursor`. */
  @IsOptional()
  @IsString()
  cursor?: string;

  /** Page size. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;
}

export class GetEntityQueryDto {
  /** Hops of neighbourhood returned with the entity (0 = none). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2)
  depth: number = 1;

  /** Most edges returned in the neighbourhood. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2000)
  limit: number = 200;
}
