import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditChainBreak, AuditChainReport, AuditChainSummary } from './audit-chain';
import type { AuditEntry } from './audit-log';

/*
 * OpenAPI shapes of the audit answers (AuditEntry, AuditVerifyAnswer). Documentation only: the
 * handlers return the audit log's objects. `AUDIT_SHAPES_COMPLETE` fails to compile when a
 * field of those types is missing here, or one here is not in them (AuditVerifyResponse adds
 * truncated and note of AuditVerifyAnswer to the chain report).
 */

/** `true` only when A and B have the same property names. */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never]
  ? true
  : false;

const BREAK_PROBLEMS = [
  'gap',
  'duplicate',
  'link',
  'hash',
] as const satisfies readonly AuditChainBreak['problem'][];

/** One audit entry (AuditEntry), for the OpenAPI document. */
export class AuditEntryResponse {
  @ApiProperty({ example: '2025-06-01T09:30:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'key-4f1c2a9e', description: 'Fingerprint of the API key used.' })
  principal!: string;

  @ApiProperty({ example: 'analyst' })
  role!: string;

  @ApiProperty({ example: 'GET' })
  method!: string;

  @ApiProperty({ example: '/api/v1/entities/:uid', description: 'The route template.' })
  route!: string;

  @ApiProperty({ example: '/api/v1/entities/account:SYNB:0123456789' })
  path!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { uid: 'account:SYNB:0123456789' },
    description: 'Business ids named in the request (path parameters).',
  })
  resources!: Record<string, string>;

  @ApiProperty({ example: 200, description: 'The HTTP status answered; 499 when the caller left.' })
  status!: number;

  @ApiProperty({ example: '0d6c1a7e-5b1f-4f5e-9f73-2a4b1c9d8e10' })
  correlationId!: string;

  @ApiPropertyOptional({
    example: 40,
    description:
      'On a summary entry: how many refused requests of the same caller, route and status it stands for.',
  })
  count?: number;

  @ApiPropertyOptional({
    example: 'subject erasure; reason: Art. 17 request, ticket DPO-2025-0173',
    description:
      'What the action recorded besides the request (e.g. the reason given for an erasure).',
  })
  note?: string;
}

/** One chain of the trail (one per API process start). */
export class AuditChainSummaryResponse {
  @ApiProperty({ example: 'k3v9q2m7x1', description: 'The chain id (random per process start).' })
  chainId!: string;

  @ApiProperty({ example: 1250, description: 'Entries of this chain that were checked.' })
  entries!: number;

  @ApiProperty({ example: 1250, description: 'The highest place (seq) in the chain.' })
  lastSeq!: number;

  @ApiProperty({
    example: '9f2c4b7e1a0d3c5f8e6b2a4d7c9e1f3a5b7d9c2e4f6a8b0c1d3e5f7a9b2c4d6e',
    description: 'SHA-256 (hex) of the last entry: note it down to detect a cut-off tail later.',
  })
  lastHash!: string;
}

/** Where a chain breaks first. */
export class AuditChainBreakResponse {
  @ApiProperty({ example: 'k3v9q2m7x1' })
  chainId!: string;

  @ApiProperty({ example: 418, description: 'The place in the chain where it breaks.' })
  seq!: number;

  @ApiProperty({
    enum: BREAK_PROBLEMS,
    example: 'hash',
    description:
      'gap: entries are missing before this one; duplicate: two entries claim this place; link: the entry does not link to the hash of the one before it (removed, reordered or replaced entries); hash: a field of the entry was changed.',
  })
  problem!: AuditChainBreak['problem'];

  @ApiProperty({
    example: '5d41402abc4b2a76b9719d911017c592…',
    description: 'What should be there.',
  })
  expected!: string;

  @ApiProperty({ example: '7d793037a0760186574b0282f2f435e7…', description: 'What is there.' })
  found!: string;

  @ApiProperty({
    example:
      'Chain k3v9q2m7x1: the entry at seq 418 was changed after it was written (its fields no longer give its hash).',
    description: 'The break in a sentence, for an operator.',
  })
  message!: string;
}

/** The verification of the trail's hash chains (AuditVerifyAnswer). */
export class AuditVerifyResponse {
  @ApiProperty({ example: true, description: 'True when every chain checked is unbroken.' })
  ok!: boolean;

  @ApiProperty({ example: 1250, description: 'Entries checked.' })
  checked!: number;

  @ApiProperty({
    example: 0,
    description: 'Entries without a link (written before the chain existed); not verifiable.',
  })
  unchained!: number;

  @ApiProperty({ type: [AuditChainSummaryResponse], description: 'Each chain, in id order.' })
  chains!: AuditChainSummaryResponse[];

  @ApiPropertyOptional({
    type: AuditChainBreakResponse,
    description: 'The first broken link (chains in id order, each from seq 1); absent when ok.',
  })
  broken?: AuditChainBreakResponse;

  @ApiProperty({
    example: false,
    description:
      'True when the trail held more entries than one verification reads; only those were checked.',
  })
  truncated!: boolean;

  @ApiPropertyOptional({
    example:
      'Only the first 200000 entries were checked; run npm run audit:verify to check them all.',
    description: 'What could not be checked, in a sentence (absent when everything was).',
  })
  note?: string;
}

export const AUDIT_SHAPES_COMPLETE: readonly true[] = [
  true satisfies SameKeys<AuditEntryResponse, AuditEntry>,
  true satisfies SameKeys<AuditChainSummaryResponse, AuditChainSummary>,
  true satisfies SameKeys<AuditChainBreakResponse, AuditChainBreak>,
  true satisfies SameKeys<Omit<AuditVerifyResponse, 'truncated' | 'note'>, AuditChainReport>,
];
