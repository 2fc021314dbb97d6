import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape of the API, for every status and every route. */
export class ErrorBody {
  @ApiProperty({ example: 'invalid_input', description: 'Stable machine-readable error code.' })
  error!: string;

  @ApiProperty({ example: 'The request is invalid: thresholdBp must not be greater than 10000' })
  message!: string;

  @ApiPropertyOptional({
    description: 'Structured details, e.g. the fields and rules that failed.',
  })
  details?: unknown;

  @ApiProperty({
    example: '0d6c1a7e-5b1f-4f5e-9f73-2a4b1c9d8e10',
    description: 'Quote this id when reporting a problem; it is in the logs too.',
  })
  correlationId!: string;
}
