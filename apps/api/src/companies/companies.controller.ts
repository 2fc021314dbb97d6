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

/** Finding a company without loading the whole list (the ownership view's search box). */
@ApiTags('entities')
@ApiSecurity('api-key')
@ApiProtectedErrors()
@Controller(`${API_V1}/companies`)
export class CompaniesController {
  constructor(private readonly store: GraphStore) {}

  @Get('search')
  @ApiOperation({
    summary:
      'Companies whose name has words beginning with each word of q, any case ("harb trad" finds "Blue Harbour Trading"; a word is 2 or more letters or digits, punctuation is ignored, nothing is read as a pattern), answered by the name index, in business id order. A company whose business id is exactly q comes first. When nextCursor is present there are more matches: ask again with it.',
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
      cursor: query.cursor,
    });
    return { ...page, items: page.items.map(vertexView) };
  }
}
