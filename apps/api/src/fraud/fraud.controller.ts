import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { FraudRing, FraudRingParams, RingQuery } from '@app/detectors';
import { MinimumRole } from '../auth/roles.decorator';
import { API_V1 } from '../common/api-prefix';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import type { SharedAnswer } from '../common/shared-reads';
import { PartyDirectory } from '../presentation/party-directory.service';
import type { AccountParty } from '../presentation/party-directory.service';
import { RingsAnswerResponse } from './fraud.responses';
import { ListRingsQueryDto, MAX_HUB_CAP } from './list-rings.query.dto';
import {
  MAX_RUNNING_RING_SEARCHES,
  MAX_WAITING_RING_SEARCHES,
  RingSearchBusyException,
  SharedRingsService,
} from './shared-rings.service';
import type { FoundRings } from './shared-rings.service';

/** The rings found, the largest first, cut at `limit` when one was asked. */
/** A ring with its member accounts named: account numbers and the customers who hold them. */
export type RingView = FraudRing & { parties: AccountParty[] };

export interface RingsAnswer {
  rings: RingView[];
  /** Rings found before the cut. */
  total: number;
  /** True when `limit` left rings out. */
  truncated: boolean;
  parameters: FraudRingParams;
  /** When the search began (ISO 8601, UTC): the rings are those the graph held then. */
  foundAt: string;
}

/** Most customers first, then most members, then by first member id (stable across runs). */
function largestFirst(a: FraudRing, b: FraudRing): number {
  const first = (ring: FraudRing): string => ring.members[0] ?? '';
  return (
    b.customers - a.customers ||
    b.members.length - a.members.length ||
    (first(a) < first(b) ? -1 : first(a) > first(b) ? 1 : 0)
  );
}

/** Fraud rings read from the graph: thin HTTP layer over FraudRingService (libs/detectors). */
@ApiTags('fraud')
@ApiSecurity('api-key')
@ApiProtectedErrors()
@MinimumRole('analyst')
@Controller(`${API_V1}/fraud`)
export class FraudController {
  constructor(
    private readonly rings: SharedRingsService,
    private readonly parties: PartyDirectory,
  ) {}

  @Get('rings')
  @ApiOperation({
    summary:
      'Rings of accounts of different customers linked by more than one shared identifier (hubs left out): members and shared identifiers, the largest first (limit cuts the list; total says how many were found).',
    description: `A search reads every shared identifier of the graph (only those around the given accounts with accounts=...). At most ${MAX_RUNNING_RING_SEARCHES} searches run at once and ${MAX_WAITING_RING_SEARCHES} more wait for a turn; beyond that the answer is 503 with Retry-After. hubCap is at most ${MAX_HUB_CAP}.`,
  })
  @ApiOkResponse({ type: RingsAnswerResponse, description: 'The rings, the largest first.' })
  @ApiErrorResponses({
    badRequest: 'A parameter is out of range, or kinds names an unknown identifier kind.',
    serviceUnavailable: `Too many ring searches at once (error ring_search_busy: ${MAX_RUNNING_RING_SEARCHES} running and ${MAX_WAITING_RING_SEARCHES} waiting); the Retry-After header says how many seconds to wait. Also: the graph store is unreachable.`,
  })
  async list(
    @Query() query: ListRingsQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RingsAnswer> {
    const parameters: Record<string, unknown> = {};
    if (query.hubCap !== undefined) parameters.hubCap = query.hubCap;
    if (query.minShared !== undefined) parameters.minSharedIdentifiers = query.minShared;
    if (query.minMembers !== undefined) parameters.minMembers = query.minMembers;
    if (query.kinds !== undefined) parameters.kinds = query.kinds;
    const { value: found, startedAt } = await this.search(
      { accountIds: query.accounts, parameters },
      response,
    );
    const rings = [...found.rings].sort(largestFirst);
    const kept = query.limit === undefined ? rings : rings.slice(0, query.limit);
    const named = await this.parties.accounts(kept.flatMap((r) => r.members));
    return {
      rings: kept.map((ring) => ({
        ...ring,
        parties: ring.members.map(
          (uid) => named.get(uid) ?? { uid, label: 'Account', name: uid, holders: [] },
        ),
      })),
      total: rings.length,
      truncated: kept.length < rings.length,
      parameters: found.parameters,
      foundAt: new Date(startedAt).toISOString(),
    };
  }

  /** The search; when too many run, the refusal carries a Retry-After header. */
  private async search(query: RingQuery, response: Response): Promise<SharedAnswer<FoundRings>> {
    try {
      return await this.rings.find(query);
    } catch (error) {
      if (error instanceof RingSearchBusyException)
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }
}
