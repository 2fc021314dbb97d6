import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { BodsStatement, OwnershipNetwork, UboAnswer, UboEvaluation, UboService } from '@app/ubo';
import { MinimumRole } from '../auth/roles.decorator';
import { API_V1 } from '../common/api-prefix';
import { ErrorBody } from '../common/error-body';
import { EvaluateUboBodyDto } from './evaluate-ubo.body.dto';
import { GetUboQueryDto } from './get-ubo.query.dto';

const COMPANY_ID = {
  name: 'companyId',
  description:
    'Business id (uid) of the company, e.g. company:bods:19f1c5afe9d7 (URL-encode a "/").',
};

/** Beneficial ownership: thin HTTP layer over UboService (libs/ubo). */
@ApiTags('ubo')
@ApiSecurity('api-key')
@MinimumRole('analyst')
@Controller(`${API_V1}/ubo`)
export class UboController {
  constructor(private readonly ubo: UboService) {}

  @Post('evaluate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Beneficial owners of a company described by BODS 0.4 statements; nothing is stored.',
  })
  @ApiOkResponse({
    description:
      'The same answer as GET /ubo/{companyId}, plus what the BODS import made of the statements (bods).',
  })
  @ApiBadRequestResponse({
    type: ErrorBody,
    description: 'Invalid statements or options; details.problems names each field and rule.',
  })
  evaluate(@Body() body: EvaluateUboBodyDto): UboEvaluation {
    return this.ubo.evaluate(body.statements, body.companyId, body.options ?? {});
  }

  @Get(':companyId')
  @ApiOperation({
    summary:
      'Beneficial owners of a company of the graph: owners, control persons, chains, cycles, risk, warnings and the options used.',
  })
  @ApiParam(COMPANY_ID)
  @ApiOkResponse({
    description:
      'Exact shares are "numerator/denominator" strings of the whole, with percent strings for display.',
  })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiBadRequestResponse({ type: ErrorBody })
  get(@Param('companyId') companyId: string, @Query() query: GetUboQueryDto): Promise<UboAnswer> {
    return this.ubo.forCompany(companyId, query);
  }

  @Get(':companyId/network')
  @ApiOperation({
    summary:
      'The ownership and control network above a company (nodes, edges with shares, layers, roles), for drawing.',
  })
  @ApiParam(COMPANY_ID)
  @ApiNotFoundResponse({ type: ErrorBody })
  network(
    @Param('companyId') companyId: string,
    @Query() query: GetUboQueryDto,
  ): Promise<OwnershipNetwork> {
    return this.ubo.network(companyId, query);
  }

  @Get(':companyId/bods')
  @ApiOperation({
    summary:
      'The computed answer as BODS 0.4 statements (entities, persons, component and primary relationships).',
  })
  @ApiParam(COMPANY_ID)
  @ApiNotFoundResponse({ type: ErrorBody })
  bods(
    @Param('companyId') companyId: string,
    @Query() query: GetUboQueryDto,
  ): Promise<BodsStatement[]> {
    return this.ubo.asBods(companyId, query);
  }
}
