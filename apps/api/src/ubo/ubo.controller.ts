import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { BodsStatement, OwnershipNetwork, UboAnswer, UboEvaluation, UboService } from '@app/ubo';
import { MinimumRole } from '../auth/roles.decorator';
import { RequiresStepUp } from '../auth/step-up.decorator';
import { API_V1 } from '../common/api-prefix';
import { ErrorBody } from '../common/error-body';
import { EvaluateUboBodyDto } from './evaluate-ubo.body.dto';
import { asDownload } from '../presentation/download';
import { ExportUboQueryDto, GetNetworkQueryDto, GetUboQueryDto } from './get-ubo.query.dto';
import { ownershipGraphml } from './ownership-graphml';
import { namesOf, uboCsv } from './ubo-export';

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
      'The ownership and control network above a company (nodes, edges with shares, layers, roles), for drawing; format=graphml downloads it for Gephi, yEd or Cytoscape.',
  })
  @ApiParam(COMPANY_ID)
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiProduces('application/json', 'application/graphml+xml')
  async network(
    @Param('companyId') companyId: string,
    @Query() query: GetNetworkQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OwnershipNetwork | string> {
    const { format, ...options } = query;
    const network = await this.ubo.network(companyId, options);
    if (format !== 'graphml') return network;
    asDownload(response, 'application/graphml+xml; charset=utf-8', `${companyId}-network.graphml`);
    return ownershipGraphml(network);
  }

  @RequiresStepUp()
  @Get(':companyId/export')
  @ApiOperation({
    summary:
      'Download the UBO answer: json (the full answer) or csv (one row per chain of each owner and control person, with exact shares, percents and the chain in words).',
  })
  @ApiParam(COMPANY_ID)
  @ApiProduces('application/json', 'text/csv')
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiBadRequestResponse({ type: ErrorBody })
  async export(
    @Param('companyId') companyId: string,
    @Query() query: ExportUboQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const { format, ...options } = query;
    if (format === 'csv') {
      const [answer, network] = await Promise.all([
        this.ubo.forCompany(companyId, options),
        this.ubo.network(companyId, options),
      ]);
      asDownload(response, 'text/csv; charset=utf-8', `${companyId}-ubo.csv`);
      return uboCsv(answer, namesOf(network));
    }
    const answer = await this.ubo.forCompany(companyId, options);
    asDownload(response, 'application/json; charset=utf-8', `${companyId}-ubo.json`);
    return JSON.stringify(answer, null, 2);
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
