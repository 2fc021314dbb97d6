import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { GraphCounts, GraphStore, Neighbourhood, Page } from '@app/graph-store';
import { EntityNotFoundError, GraphVertex, RESTRICTED_VERTEX_LABELS } from '@app/vocabulary';
import { API_V1 } from '../common/api-prefix';
import { ErrorBody } from '../common/error-body';
import { GetEntityQueryDto, ListEntitiesQueryDto } from './list-entities.query.dto';

export interface EntityResponse {
  entity: GraphVertex;
  neighbourhood?: Neighbourhood;
}

@ApiTags('entities')
@ApiSecurity('api-key')
@Controller(`${API_V1}`)
export class EntitiesController {
  constructor(private readonly store: GraphStore) {}

  @Get('entities')
  @ApiOperation({
    summary: 'List entities of one kind (Person, Company, Account, …) page by page.',
  })
  list(@Query() query: ListEntitiesQueryDto): Promise<Page<GraphVertex>> {
    return this.store.listVertices({
      label: query.label,
      cursor: query.cursor,
      limit: query.limit,
    });
  }

  @Get('entities/:uid')
  @ApiOperation({
    summary:
      'One entity by business id, with its neighbourhood (holders, accounts, identifiers, movements).',
  })
  @ApiNotFoundResponse({ type: ErrorBody })
  async get(@Param('uid') uid: string, @Query() query: GetEntityQueryDto): Promise<EntityResponse> {
    const entity = await this.store.getVertex(uid);
    // Audit entries are read through GET /audit (admins only), never browsed as entities.
    if (!entity || RESTRICTED_VERTEX_LABELS.includes(entity.label))
      throw new EntityNotFoundError('Entity', uid);
    if (query.depth === 0) return { entity };
    const neighbourhood = await this.store.getNeighbourhood({
      uid,
      depth: query.depth,
      limit: query.limit,
    });
    return { entity, neighbourhood };
  }

  @Get('graph/stats')
  @ApiOperation({ summary: 'How many entities and relations of each kind the graph holds.' })
  stats(): Promise<GraphCounts> {
    return this.store.counts();
  }
}
