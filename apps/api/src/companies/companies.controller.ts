import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { GraphStore } from '@app/graph-store';
import { InvalidInputError } from '@app/vocabulary';
import { API_V1 } from '../common/api-prefix';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { EntityPageResponse } from '../entities/entity.responses';
import { vertexView } from '../presentation/analyst-format';
import type { EntityPage } from '../entities/entities.controller';
import { SearchCompaniesQueryDto } from './search-companies.query.dto';

/**
 * Companies examined per request, in business id order. It bounds the work of one search on a
 * registry of any size; a search that has not reached the end answers a nextCursor, so the
 * caller can search further (a page can then be short, even empty).
 */
export const COMPANY_SEARCH_SCAN = 5_000;

/** Finding a company without loading the whole list (the ownership view's search box). */
@ApiTags('entities')
@ApiSecurity('api-key')
@ApiProtectedErrors()
@Controller(`${API_V1}/companies`)
export class CompaniesController {
  constructor(private readonly store: GraphStore) {}

  @Get('search')
  @ApiOperation({
    summary: `Companies whose name or business id contains q, any case (plain text, no patterns), in business id order. Each request examines at most ${COMPANY_SEARCH_SCAN} companies: when nextCursor is present there may be more matches (the page can be short, even empty), so ask again with it.`,
  })
  @ApiOkResponse({ type: EntityPageResponse, description: 'One page of matching companies.' })
  @ApiErrorResponses({
    badRequest:
      'q is missing, blank or longer than 200 characters, limit is not 1 to 100, or the cursor is not one this search returned; details.problems names each field and rule.',
  })
  async search(@Query() query: SearchCompaniesQueryDto): Promise<EntityPage> {
    if (query.q.trim() === '') {
      throw new InvalidInputError('q must contain something to search for', [
        { field: 'q', rule: 'must not be blank' },
      ]);
    }
    const page = await this.store.searchByName({
      label: 'Company',
      text: query.q,
      limit: query.limit,
      scanLimit: COMPANY_SEARCH_SCAN,
      cursor: query.cursor,
    });
    return { ...page, items: page.items.map(vertexView) };
  }
}
