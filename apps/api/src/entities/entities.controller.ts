import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { BASE_MONEY } from '@app/detectors';
import { GraphStore } from '@app/graph-store';
import { EntityNotFoundError, RESTRICTED_VERTEX_LABELS } from '@app/vocabulary';
import type { BaseMoney, GraphEdge, GraphVertex } from '@app/vocabulary';
import { API_V1 } from '../common/api-prefix';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { edgeView, vertexView } from '../presentation/analyst-format';
import type { MoneyView, PartyRef } from '../presentation/analyst-format';
import { PartyDirectory } from '../presentation/party-directory.service';
import { EntityAnswerResponse, EntityPageResponse, GraphCountsResponse } from './entity.responses';
import { GraphStats, GraphStatsService } from './graph-stats.service';
import { GetEntityQueryDto, ListEntitiesQueryDto } from './list-entities.query.dto';

/**
 * A vertex for analysts: its stored props with an `xIso` sibling for every epoch time, its
 * display name and business id (`party`) and, for an account, the customers who hold it.
 */
export type EntityView = GraphVertex & { party: PartyRef; holders?: PartyRef[] };

/** An edge for analysts: ISO times, and for a money movement its amount in major units. */
export type RelationView = GraphEdge & { money?: MoneyView };

export interface EntityPage {
  items: EntityView[];
  nextCursor?: string;
}

export interface EntityResponse {
  entity: EntityView;
  neighbourhood?: { vertices: EntityView[]; edges: RelationView[]; truncated: boolean };
}

@ApiTags('entities')
@ApiSecurity('api-key')
@ApiProtectedErrors()
@Controller(`${API_V1}`)
export class EntitiesController {
  constructor(
    private readonly store: GraphStore,
    private readonly parties: PartyDirectory,
    private readonly graphStats: GraphStatsService,
    @Inject(BASE_MONEY) private readonly money: BaseMoney,
  ) {}

  @Get('entities')
  @ApiOperation({
    summary: 'List entities of one kind (Person, Company, Account, …) page by page.',
  })
  @ApiOkResponse({ type: EntityPageResponse, description: 'One page of entities.' })
  @ApiErrorResponses({
    badRequest: 'label is missing or not a browsable label, or limit is out of range.',
  })
  async list(@Query() query: ListEntitiesQueryDto): Promise<EntityPage> {
    const page = await this.store.listVertices({
      label: query.label,
      cursor: query.cursor,
      limit: query.limit,
    });
    return { ...page, items: await this.views(page.items) };
  }

  @Get('entities/:uid')
  @ApiOperation({
    summary:
      'One entity by business id, with its neighbourhood (holders, accounts, identifiers, movements).',
  })
  @ApiParam({ name: 'uid', description: 'Business id (uid), e.g. account:SYNB:0123456789.' })
  @ApiOkResponse({
    type: EntityAnswerResponse,
    description: 'The entity, and its neighbourhood unless depth=0.',
  })
  @ApiErrorResponses({
    badRequest: 'depth or limit is out of range.',
    notFound: 'No entity has this uid (audit entries are read through GET /api/v1/audit).',
  })
  async get(@Param('uid') uid: string, @Query() query: GetEntityQueryDto): Promise<EntityResponse> {
    const entity = await this.store.getVertex(uid);
    // Audit entries are read through GET /audit (admins only), never browsed as entities.
    if (!entity || RESTRICTED_VERTEX_LABELS.includes(entity.label))
      throw new EntityNotFoundError('Entity', uid);
    const [view] = await this.views([entity]);
    if (query.depth === 0) return { entity: view };
    const neighbourhood = await this.store.getNeighbourhood({
      uid,
      depth: query.depth,
      limit: query.limit,
    });
    return {
      entity: view,
      neighbourhood: {
        vertices: neighbourhood.vertices.map(vertexView),
        edges: neighbourhood.edges.map((e) => edgeView(e, this.money)),
        truncated: neighbourhood.truncated,
      },
    };
  }

  /** Vertex views; accounts get their holders (two store reads for the whole list). */
  private async views(vertices: readonly GraphVertex[]): Promise<EntityView[]> {
    const accounts = await this.parties.accounts(
      vertices.filter((v) => v.label === 'Account').map((v) => v.uid),
    );
    return vertices.map((vertex) => {
      const view: EntityView = vertexView(vertex);
      const account = accounts.get(vertex.uid);
      if (account) view.holders = account.holders;
      return view;
    });
  }

  @Get('graph/stats')
  @ApiOperation({
    summary: 'How many entities and relations of each kind the graph holds.',
    description:
      'Counting reads the whole graph. When a count takes 200 ms or more, callers that come ' +
      'while it runs share it, and its answer is given again until ten times its duration ' +
      'has passed; countedAt says when the count began.',
  })
  @ApiOkResponse({ type: GraphCountsResponse, description: 'Counts per label, and when.' })
  stats(): Promise<GraphStats> {
    return this.graphStats.stats();
  }
}
