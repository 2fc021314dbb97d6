import { ApiProperty } from '@nestjs/swagger';
import { IDENTIFIER_KINDS } from '@app/vocabulary';
import type { IdentifierKind } from '@app/vocabulary';
import { AccountPartyResponse } from '../presentation/analyst-format.responses';

/* OpenAPI shapes of the fraud ring answers (fraud.controller.ts). Documentation only. */

export class SharedIdentifierResponse {
  @ApiProperty({ example: 'device:SYNB:7f3a21' })
  identifierUid!: string;

  @ApiProperty({ enum: IDENTIFIER_KINDS, enumName: 'IdentifierKind', example: 'device' })
  kind!: IdentifierKind;

  @ApiProperty({
    type: [String],
    example: ['account:SYNB:0123456789', 'account:SYNB:0987654321'],
    description: 'The members that use it.',
  })
  accountIds!: string[];
}

/** A ring as the detector finds it. */
export class FraudRingResponse {
  @ApiProperty({
    type: [String],
    example: ['account:SYNB:0123456789', 'account:SYNB:0987654321', 'account:SYNB:1122334455'],
    description: 'Member accounts, in id order.',
  })
  members!: string[];

  @ApiProperty({
    example: 3,
    description: 'Distinct customers among them (accounts with a common holder count once).',
  })
  customers!: number;

  @ApiProperty({
    type: [SharedIdentifierResponse],
    description: 'Identifiers shared inside the ring, each with the members that use it.',
  })
  identifiers!: SharedIdentifierResponse[];

  @ApiProperty({
    example: 0.67,
    minimum: 0,
    maximum: 1,
    description: 'Linked pairs over possible pairs.',
  })
  density!: number;
}

/** A ring with its member accounts named. */
export class RingResponse extends FraudRingResponse {
  @ApiProperty({
    type: [AccountPartyResponse],
    description: 'The members with account numbers and the customers who hold them.',
  })
  parties!: AccountPartyResponse[];
}

export class FraudRingParamsResponse {
  @ApiProperty({ example: 20, description: 'Identifiers used by more accounts are hubs.' })
  hubCap!: number;

  @ApiProperty({ example: 2, description: 'Identifiers two accounts must share to be linked.' })
  minSharedIdentifiers!: number;

  @ApiProperty({ example: 3, description: 'Fewest customers in a ring.' })
  minMembers!: number;

  @ApiProperty({ example: 50, description: 'Larger components are split into communities.' })
  maxRingSize!: number;

  @ApiProperty({ type: [String], example: ['device', 'ip', 'phone', 'email', 'card'] })
  kinds!: string[];
}

export class RingsAnswerResponse {
  @ApiProperty({ type: [RingResponse], description: 'The largest first.' })
  rings!: RingResponse[];

  @ApiProperty({ example: 7, description: 'Rings found before the cut.' })
  total!: number;

  @ApiProperty({ example: true, description: 'True when limit left rings out.' })
  truncated!: boolean;

  @ApiProperty({ type: FraudRingParamsResponse, description: 'The parameters used.' })
  parameters!: FraudRingParamsResponse;

  @ApiProperty({
    example: '2026-12-06T12:00:00.000Z',
    description:
      'When the search began (ISO 8601, UTC): the rings are those the graph held then. A search that takes 200 ms or more is shared by the callers who ask the same while it runs, and answered again for ten times its duration.',
  })
  foundAt!: string;
}
