import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { BASE_MONEY } from '@app/detectors';
import { GraphStore } from '@app/graph-store';
import {
  ANALYST_EDGE_LABELS,
  ANALYST_VERTEX_LABELS,
  EntityNotFoundError,
  ForbiddenError,
  RESTRICTED_VERTEX_LABELS,
} from '@app/vocabulary';
import type { BaseMoney, GraphEdge, GraphVertex, VertexLabel } from '@app/vocabulary';
import type { RequestWithPrincipal } from '../auth/principal';
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

/**
 * True when the caller may see alerts and their status history (analysts and admins; a caller
 * without a principal is a viewer, so a route wired without the key guard shows no alerts).
 */
function seesAlerts(request: RequestWithPrincipal): boolean {
  const role = request.principal?.role;
  return role === 'analyst' || role === 'admin';
}

/** The label of an entity a viewer asked for that only analysts may see, as a refusal. */
function alertsRefused(label: VertexLabel, request: RequestWithPrincipal): ForbiddenError {
  const yours = request.principal?.kind === 'user' ? 'your account' : 'your key';
  return new ForbiddenError(
    `${label} entities (alerts and their status history) need the analyst role; ${yours} has the viewer role.`,
  );
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
    forbidden: 'label is Alert or StatusChange and the key has the viewer role (analysts only).',
  })
  async list(
    @Query() query: ListEntitiesQueryDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<EntityPage> {
    if (ANALYST_VERTEX_LABELS.includes(query.label) && !seesAlerts(request))
      throw alertsRefused(query.label, request);
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
    forbidden:
      'The entity is an alert or a status change and the key has the viewer role (analysts only).',
  })
  async get(
    @Param('uid') uid: string,
    @Query() query: GetEntityQueryDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<EntityResponse> {
    const entity = await this.store.getVertex(uid);
    // Audit entries are read through GET /audit (admins only), never browsed as entities.
    if (!entity || RESTRICTED_VERTEX_LABELS.includes(entity.label))
      throw new EntityNotFoundError('Entity', uid);
    const alerts = seesAlerts(request);
    if (!alerts && ANALYST_VERTEX_LABELS.includes(entity.label))
      throw alertsRefused(entity.label, request);
    const [view] = await this.views([entity]);
    if (query.depth === 0) return { entity: view };
    const neighbourhood = await this.store.getNeighbourhood({
      uid,
      depth: query.depth,
      limit: query.limit,
    });
    // What the caller may not browse is left out of the neighbourhood, with the edges to it.
    const hiddenLabel = (label: VertexLabel): boolean =>
      RESTRICTED_VERTEX_LABELS.includes(label) ||
      (!alerts && ANALYST_VERTEX_LABELS.includes(label));
    const hidden = new Set(
      neighbourhood.vertices.filter((v) => hiddenLabel(v.label)).map((v) => v.uid),
    );
    const vertices = neighbourhood.vertices.filter((v) => !hidden.has(v.uid));
    const edges = neighbourhood.edges.filter(
      (e) =>
        !hidden.has(e.from) &&
        !hidden.has(e.to) &&
        (alerts || !ANALYST_EDGE_LABELS.includes(e.label)),
    );
    return {
      entity: view,
      neighbourhood: {
        vertices: vertices.map(vertexView),
        edges: edges.map((e) => edgeView(e, this.money)),
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
