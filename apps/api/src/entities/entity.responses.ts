import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EDGE_LABELS, VERTEX_LABELS } from '@app/vocabulary';
import {
  EntityResponse,
  NeighbourResponse,
  RelationResponse,
} from '../presentation/analyst-format.responses';

/* OpenAPI shapes of the entity answers (entities.controller.ts). Documentation only. */

export class EntityPageResponse {
  @ApiProperty({ type: [EntityResponse] })
  items!: EntityResponse[];

  @ApiPropertyOptional({
    example: 'eyJ1aWQiOiJhY2NvdW50OlNZTkI6MDEyMyJ9',
    description: 'Send as cursor for the next page; absent on the last page.',
  })
  nextCursor?: string;
}

export class NeighbourhoodResponse {
  @ApiProperty({ type: [NeighbourResponse], description: 'Vertices within depth hops.' })
  vertices!: NeighbourResponse[];

  @ApiProperty({ type: [RelationResponse], description: 'Edges between them.' })
  edges!: RelationResponse[];

  @ApiProperty({ example: false, description: 'True when limit cut the edges.' })
  truncated!: boolean;
}

export class EntityAnswerResponse {
  @ApiProperty({ type: EntityResponse })
  entity!: EntityResponse;

  @ApiPropertyOptional({
    type: NeighbourhoodResponse,
    description: 'Absent when depth=0 was asked.',
  })
  neighbourhood?: NeighbourhoodResponse;
}

/** Vertices per label: one property per vertex label, each a count. */
export class VertexCountsResponse {}

/** Edges per label: one property per edge label, each a count. */
export class EdgeCountsResponse {}

// One required integer property per label, declared from the vocabulary's label lists.
for (const label of VERTEX_LABELS)
  ApiProperty({ type: 'integer', example: 0 })(VertexCountsResponse.prototype, label);
for (const label of EDGE_LABELS)
  ApiProperty({ type: 'integer', example: 0 })(EdgeCountsResponse.prototype, label);

export class GraphCountsResponse {
  @ApiProperty({ type: VertexCountsResponse, description: 'Vertices per label.' })
  vertices!: VertexCountsResponse;

  @ApiProperty({ type: EdgeCountsResponse, description: 'Edges per label.' })
  edges!: EdgeCountsResponse;

  @ApiProperty({
    example: '2026-12-06T16:00:00.000Z',
    description: 'When the count began (UTC): the counts hold what the graph held then.',
  })
  countedAt!: string;
}
