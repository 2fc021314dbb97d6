import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { BodsStatement, OwnershipNetwork, UboAnswer, UboEvaluation, UboService } from '@app/ubo';
import { MinimumRole } from '../auth/roles.decorator';
import { RequiresStepUp } from '../auth/step-up.decorator';
import { API_V1 } from '../common/api-prefix';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { STEP_UP_REQUIRED_ANSWER } from '../mfa/mfa.responses';
import { EvaluateUboBodyDto } from './evaluate-ubo.body.dto';
import { textContent } from '../presentation/analyst-format.responses';
import { asDownload } from '../presentation/download';
import { ExportUboQueryDto, GetNetworkQueryDto, GetUboQueryDto } from './get-ubo.query.dto';
import { ownershipGraphml } from './ownership-graphml';
import { namesOf, uboCsv } from './ubo-export';
import {
  BODS_STATEMENT_SCHEMA,
  OwnershipNetworkResponse,
  UboAnswerResponse,
  UboEvaluationResponse,
} from './ubo.responses';

/** One BODS 0.4 statement of the evaluate example. */
function exampleStatement(recordId: string, recordType: string, recordDetails: object): object {
  return {
    statementId: `example-statement-00000000000000000000-${recordId}`,
    declarationSubject: 'target',
    statementDate: '2024-01-15',
    recordId,
    recordStatus: 'new',
    recordType,
    recordDetails,
  };
}

function exampleShare(subject: string, interestedParty: string, exact: number): object {
  return {
    isComponent: false,
    subject,
    interestedParty,
    interests: [{ type: 'shareholding', directOrIndirect: 'direct', share: { exact } }],
  };
}

/** A person holding 50% of a holding that holds 50% of the target: 25% indirectly. */
const EVALUATE_EXAMPLE = {
  statements: [
    exampleStatement('target', 'entity', {
      isComponent: false,
      entityType: { type: 'registeredEntity' },
      name: 'Target Ltd',
      jurisdiction: { name: 'United Kingdom', code: 'GB' },
    }),
    exampleStatement('holdco', 'entity', {
      isComponent: true,
      entityType: { type: 'registeredEntity' },
      name: 'Holdco SA',
      jurisdiction: { name: 'Panama', code: 'PA' },
    }),
    exampleStatement('ada', 'person', {
      isComponent: false,
      personType: 'knownPerson',
      names: [{ type: 'legal', fullName: 'Ada Example' }],
    }),
    exampleStatement('r1', 'relationship', exampleShare('target', 'holdco', 50)),
    exampleStatement('r2', 'relationship', exampleShare('holdco', 'ada', 50)),
  ],
  companyId: 'target',
  options: { regime: 'eu' },
};

const COMPANY_NOT_FOUND = 'No company has this uid.';
const BAD_OPTIONS =
  'An option is invalid (regime, method, thresholdBp, comparator, maxDepth, convention, asOf); details.problems names the field and the rule.';

const COMPANY_ID = {
  name: 'companyId',
  description:
    'Business id (uid) of the company, e.g. company:bods:19f1c5afe9d7 (URL-encode a "/").',
};

/** Beneficial ownership: thin HTTP layer over UboService (libs/ubo). */
@ApiTags('ubo')
@ApiSecurity('api-key')
@ApiProtectedErrors()
@ApiExtraModels(UboAnswerResponse, OwnershipNetworkResponse)
@MinimumRole('analyst')
@Controller(`${API_V1}/ubo`)
export class UboController {
  constructor(private readonly ubo: UboService) {}

  @Post('evaluate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Beneficial owners of a company described by BODS 0.4 statements; nothing is stored.',
  })
  @ApiBody({
    type: EvaluateUboBodyDto,
    examples: {
      indirect25: {
        summary: '50% of a holding that owns 50%: 25% indirectly (qualifies under eu)',
        value: EVALUATE_EXAMPLE,
      },
    },
  })
  @ApiOkResponse({
    type: UboEvaluationResponse,
    description:
      'The same answer as GET /ubo/{companyId}, plus what the BODS import made of the statements (bods).',
  })
  @ApiErrorResponses({
    badRequest: 'Invalid statements or options; details.problems names each field and rule.',
    payloadTooLarge: true,
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
    type: UboAnswerResponse,
    description:
      'Exact shares are "numerator/denominator" strings of the whole, with percent strings for display.',
  })
  @ApiErrorResponses({ notFound: COMPANY_NOT_FOUND, badRequest: BAD_OPTIONS })
  get(@Param('companyId') companyId: string, @Query() query: GetUboQueryDto): Promise<UboAnswer> {
    return this.ubo.forCompany(companyId, query);
  }

  @Get(':companyId/network')
  @ApiOperation({
    summary:
      'The ownership and control network above a company (nodes, edges with shares, layers, roles), for drawing; format=graphml downloads it for Gephi, yEd or Cytoscape.',
  })
  @ApiParam(COMPANY_ID)
  @ApiOkResponse({
    description: 'JSON nodes and edges, or (format=graphml) a GraphML file download.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(OwnershipNetworkResponse) } },
      ...textContent(
        'application/graphml+xml',
        'GraphML 1.0: a node per person or company, an edge per interest, with shares and roles as data keys.',
      ),
    },
  })
  @ApiErrorResponses({
    notFound: COMPANY_NOT_FOUND,
    badRequest: `${BAD_OPTIONS} Also: format is not json or graphml.`,
  })
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
  @ApiOkResponse({
    description: 'A file download (Content-Disposition: attachment).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(UboAnswerResponse) } },
      ...textContent(
        'text/csv',
        'One row per chain of each owner and control person, with exact shares and percents; a header row names the columns.',
      ),
    },
  })
  @ApiErrorResponses({
    notFound: COMPANY_NOT_FOUND,
    badRequest: `${BAD_OPTIONS} Also: format is not json or csv.`,
    forbidden: `The API key does not have the role this route needs. ${STEP_UP_REQUIRED_ANSWER}`,
  })
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
  @ApiOkResponse({
    description: 'BODS 0.4 statements, entities and persons before the relationships.',
    schema: { type: 'array', items: BODS_STATEMENT_SCHEMA },
  })
  @ApiErrorResponses({ notFound: COMPANY_NOT_FOUND, badRequest: BAD_OPTIONS })
  bods(
    @Param('companyId') companyId: string,
    @Query() query: GetUboQueryDto,
  ): Promise<BodsStatement[]> {
    return this.ubo.asBods(companyId, query);
  }
}
