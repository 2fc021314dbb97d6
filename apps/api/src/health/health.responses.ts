import { ApiProperty } from '@nestjs/swagger';

/** What is running (BuildInfo), for the OpenAPI document. */
export class BuildInfoResponse {
  @ApiProperty({ example: 'graph-banking-analytics', description: 'The project name.' })
  name!: string;

  @ApiProperty({ example: '1.4.0', description: 'The release (semantic versioning).' })
  version!: string;

  @ApiProperty({ example: 'v22.11.0', description: 'The Node.js version running it.' })
  node!: string;
}
