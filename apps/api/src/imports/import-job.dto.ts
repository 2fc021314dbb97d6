import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const IMPORT_STATUSES = ['queued', 'validating', 'loading', 'succeeded', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export class ImportFileDto {
  @ApiProperty({ example: 'movements.csv' })
  name!: string;

  @ApiProperty({ example: 20417, description: 'Size received, in bytes.' })
  bytes!: number;
}

export class ImportSourceDto {
  @ApiProperty({
    enum: ['upload', 'json-lines-body'],
    description: 'A multipart upload of files, or one JSON-lines request body.',
  })
  kind!: 'upload' | 'json-lines-body';

  @ApiProperty({ type: [ImportFileDto] })
  files!: ImportFileDto[];
}

export class ImportProgressDto {
  @ApiProperty({
    example: 318,
    description:
      'Rows read and checked so far (while validating: lines read; once validated: the records of the export).',
  })
  recordsValidated!: number;

  @ApiProperty({ example: 120, description: 'Vertices and edges stored so far.' })
  recordsWritten!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 410,
    description: 'Vertices and edges to store; null until the whole upload is validated.',
  })
  recordsTotal!: number | null;
}

export class UpsertCountsDto {
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty() unchanged!: number;
}

export class ImportSummaryDto {
  @ApiProperty({ example: 'bank-exchange/v1' })
  format!: string;

  @ApiProperty({ example: 'bank', description: 'Part of every business id written.' })
  bankId!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { persons: 10, accounts: 20, movements: 201 },
    description: 'Records read per record type.',
  })
  records!: Record<string, number>;

  @ApiProperty({ description: 'Vertices built (parties, accounts, identifiers, cash points...).' })
  vertices!: number;

  @ApiProperty({ description: 'Edges built (holders, ownership, movements, events...).' })
  edges!: number;

  @ApiProperty({ description: 'Accounts at other banks (counterparties).' })
  externalAccounts!: number;

  @ApiProperty({ description: 'Branches and ATMs.' })
  cashPoints!: number;

  @ApiProperty({ type: UpsertCountsDto, description: 'What the graph store did with them.' })
  written!: UpsertCountsDto;

  @ApiProperty({ type: [String], description: 'Plain-language remarks about the input.' })
  notes!: string[];
}

export class ScanRequestDto {
  @ApiProperty({ example: 'POST' })
  method!: 'POST';

  @ApiProperty({ example: '/api/v1/alerts/scan' })
  path!: string;

  @ApiProperty({
    example: { from: '2025-01-01T17:32:00.000Z', to: '2025-03-30T10:05:00.001Z' },
    description: 'The body to send: the window of the imported movements (`to` is exclusive).',
  })
  body!: { from: string; to: string };
}

export class ImportDetectionDto {
  @ApiProperty({ example: '2025-01-01T17:32:00.000Z', description: 'First imported movement.' })
  from!: string;

  @ApiProperty({
    example: '2025-03-30T10:05:00.001Z',
    description: 'Just after the last imported movement (exclusive end of the window).',
  })
  to!: string;

  @ApiProperty({ example: 201, description: 'Money movements imported.' })
  movements!: number;

  @ApiProperty({
    example:
      'The data is in the graph store. Run the detectors over it with POST /api/v1/alerts/scan and the body below.',
  })
  message!: string;

  @ApiProperty({ type: ScanRequestDto })
  scan!: ScanRequestDto;
}

export class ImportStorageDto {
  @ApiProperty({ enum: ['memory', 'janusgraph'] })
  backend!: 'memory' | 'janusgraph';

  @ApiProperty({ description: 'false: the data lives only as long as the API process.' })
  lasting!: boolean;

  @ApiPropertyOptional({ description: 'Said when the data will not outlive the process.' })
  warning?: string;
}

export class ImportProblemDto {
  @ApiPropertyOptional({ example: 'movements.csv' })
  file?: string;

  @ApiPropertyOptional({ example: 3, description: '1 = the first line, header included.' })
  line?: number;

  @ApiProperty({ example: 'amount' })
  field!: string;

  @ApiProperty({ example: 'must be a decimal number with a dot, such as 1250.00' })
  rule!: string;
}

export class ImportProblemsDto {
  @ApiProperty({ type: [ImportProblemDto] })
  problems!: ImportProblemDto[];
}

/** Why a job failed, in the API's error shape (`details.problems` lists file, line, field, rule). */
export class ImportFailureDto {
  @ApiProperty({ example: 'invalid_input' })
  error!: string;

  @ApiProperty({
    example:
      'The bank export has 1 problem; nothing was imported. Fix them and run again:\n  movements.csv line 3: amount ...',
  })
  message!: string;

  @ApiPropertyOptional({ type: ImportProblemsDto })
  details?: ImportProblemsDto;

  @ApiProperty({ description: 'The correlation id of the request that started the import.' })
  correlationId!: string;
}

/** An import job as `POST /imports` and `GET /imports/{jobId}` show it. */
export class ImportJobDto {
  @ApiProperty({ example: 'import-3f2a1c9e-…' })
  jobId!: string;

  @ApiProperty({ enum: IMPORT_STATUSES })
  status!: ImportStatus;

  @ApiProperty({ type: ImportSourceDto })
  source!: ImportSourceDto;

  @ApiProperty({ example: 'bank' })
  bankId!: string;

  @ApiProperty({ type: ImportProgressDto })
  progress!: ImportProgressDto;

  @ApiProperty({ example: '2025-06-01T09:30:00.000Z' })
  createdAt!: string;

  @ApiPropertyOptional({ example: '2025-06-01T09:30:00.010Z' })
  startedAt?: string;

  @ApiPropertyOptional({ example: '2025-06-01T09:30:02.500Z' })
  finishedAt?: string;

  @ApiPropertyOptional({ type: ImportSummaryDto, description: 'Once succeeded.' })
  summary?: ImportSummaryDto;

  @ApiPropertyOptional({
    type: ImportDetectionDto,
    description: 'Once succeeded with money movements: how to run detection over them.',
  })
  detection?: ImportDetectionDto;

  @ApiProperty({ type: ImportStorageDto })
  storage!: ImportStorageDto;

  @ApiPropertyOptional({
    type: ImportFailureDto,
    description: 'Once failed: the reason; nothing was written when validation failed.',
  })
  error?: ImportFailureDto;
}
