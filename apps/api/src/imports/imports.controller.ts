import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  UnsupportedMediaTypeException,
  UploadedFiles,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { MinimumRole } from '../auth/roles.decorator';
import { API_V1 } from '../common/api-prefix';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { ApiRequestContent } from '../common/api-request-content.decorator';
import { CreateImportQueryDto } from './create-import.query.dto';
import { ImportJobDto } from './import-job.dto';
import { ImportJobsService, type ReceivedFile } from './import-jobs.service';
import { ImportLimits } from './import-limits';
import {
  FILES_FIELD,
  ImportSlotGuard,
  JSON_LINES_TYPES,
  readBoundedBody,
  UploadErrorsInterceptor,
  type UploadedImportFile,
} from './import-request';

/** The name a JSON-lines body is read under: a "mixed" file, every line names its `type`. */
const BODY_FILE_NAME = 'body.jsonl';

/** A small bank as one JSON-lines body (the record types of examples/bank-export-jsonl). */
const JSON_LINES_EXAMPLE = [
  {
    type: 'persons',
    person_id: 'P001',
    name: 'Amelia Hart',
    birth_date: '1971-04-12',
    nationality: 'US',
    residence: 'US',
    is_pep: false,
    is_sanctioned: false,
  },
  {
    type: 'accounts',
    account_id: 'A-1001',
    account_type: 'personal',
    currency: 'USD',
    opened_on: '2011-02-11',
    country: 'US',
    status: 'active',
  },
  { type: 'holders', account_id: 'A-1001', party_id: 'P001', role: 'holder' },
]
  .map((record) => JSON.stringify(record))
  .join('\n');

const HOW_TO_SEND =
  `Send the files as multipart/form-data in the field "${FILES_FIELD}" (one file per record type, ` +
  'named like persons.csv or movements.jsonl), or one JSON-lines body with ' +
  'Content-Type: application/x-ndjson whose lines each carry a "type" (persons, accounts, movements ...).';

/** Loading a bank's own data into the API's graph store (bank exchange format, docs/import-format.md). */
@ApiTags('imports')
@ApiSecurity('api-key')
@MinimumRole('admin')
@ApiProtectedErrors({ forbidden: 'The key is not an admin key.' })
@Controller(`${API_V1}/imports`)
export class ImportsController {
  constructor(
    private readonly jobs: ImportJobsService,
    private readonly limits: ImportLimits,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(ImportSlotGuard)
  @UseInterceptors(UploadErrorsInterceptor, FilesInterceptor(FILES_FIELD))
  @ApiOperation({
    summary:
      'Import a bank export (bank exchange format) into the graph store, as a background job.',
    description:
      `${HOW_TO_SEND} Answers 202 with the job at once; follow it with GET /api/v1/imports/{jobId}. ` +
      'The whole upload is validated before anything is written: a bad row fails the job with every ' +
      'problem (file, line, field, rule) and nothing is stored. One import runs at a time. ' +
      'A JSON-lines body may be compressed (Content-Encoding: gzip, deflate or br); the size limit counts it decompressed.',
  })
  @ApiConsumes('multipart/form-data', ...JSON_LINES_TYPES)
  @ApiRequestContent(
    {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: [FILES_FIELD],
          properties: {
            [FILES_FIELD]: {
              type: 'array',
              items: { type: 'string', format: 'binary' },
              description: 'One file per record type, named like persons.csv or movements.jsonl.',
            },
          },
        },
        encoding: { [FILES_FIELD]: { contentType: 'text/csv, application/x-ndjson' } },
      },
      ...Object.fromEntries(
        JSON_LINES_TYPES.map((type) => [
          type,
          {
            schema: {
              type: 'string',
              description: 'One JSON object per line, each with "type" (persons, accounts...).',
            },
            example: JSON_LINES_EXAMPLE,
          },
        ]),
      ),
    },
    'multipart/form-data: the files in the field "files". application/x-ndjson: one JSON object per line, each with "type".',
  )
  @ApiAcceptedResponse({ type: ImportJobDto, description: 'The job, queued.' })
  @ApiErrorResponses({
    badRequest:
      'No file, a file name that is not a record type, a bad bankId, a compressed body that does not decompress.',
    conflict: 'Another import is running.',
    payloadTooLarge: 'A file or the body is too large.',
    unsupportedMediaType:
      'Neither multipart nor JSON lines, or a Content-Encoding other than gzip, deflate or br.',
  })
  async create(
    @UploadedFiles() uploaded: UploadedImportFile[] | undefined,
    @Query() query: CreateImportQueryDto,
    @Req() request: Request,
  ): Promise<ImportJobDto> {
    const correlationId = correlationIdOf(request);
    const files = uploaded ?? [];
    if (files.length > 0) {
      return this.jobs.start({
        kind: 'upload',
        files: files.map((file): ReceivedFile => ({
          name: file.originalname,
          chunks: [file.buffer],
        })),
        bankId: query.bankId,
        correlationId,
      });
    }
    if (typeof request.is('multipart/form-data') === 'string') {
      throw new BadRequestException(`The upload holds no file. ${HOW_TO_SEND}`);
    }
    if (typeof request.is(JSON_LINES_TYPES) !== 'string') {
      throw new UnsupportedMediaTypeException(HOW_TO_SEND);
    }
    const chunks = await readBoundedBody(
      request,
      this.limits.maxBodyBytes,
      request.headers['content-encoding'],
    );
    if (chunks.every((chunk) => chunk.byteLength === 0)) {
      throw new BadRequestException(`The JSON-lines body is empty. ${HOW_TO_SEND}`);
    }
    return this.jobs.start({
      kind: 'json-lines-body',
      files: [{ name: BODY_FILE_NAME, chunks }],
      bankId: query.bankId,
      correlationId,
    });
  }

  @Get(':jobId')
  @ApiOperation({
    summary:
      'An import job: status (queued, validating, loading, succeeded, failed), progress, times, the summary, and the problems when it failed.',
  })
  @ApiParam({ name: 'jobId', description: 'The jobId answered by POST /api/v1/imports.' })
  @ApiOkResponse({ type: ImportJobDto, description: 'The job.' })
  @ApiErrorResponses({ notFound: 'No such job (the oldest finished jobs are forgotten).' })
  get(@Param('jobId') jobId: string): ImportJobDto {
    return this.jobs.get(jobId);
  }
}

function correlationIdOf(request: Request & { id?: unknown }): string {
  return typeof request.id === 'string' ? request.id : randomUUID();
}
