import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { RequestWithAuditNote } from '../audit/audit-log';
import { MinimumRole } from '../auth/roles.decorator';
import { RequiresStepUp } from '../auth/step-up.decorator';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { API_V1 } from '../common/api-prefix';
import { STEP_UP_REQUIRED_ANSWER } from '../mfa/mfa.responses';
import { EraseSubjectBodyDto } from './erase-subject.body.dto';
import { ErasureResultResponse, SubjectExportResponse } from './subjects.responses';
import { ErasureResult, SubjectExport, SubjectsService } from './subjects.service';

const PERSON_ID = {
  name: 'personId',
  description: 'Business id (uid) of the person, e.g. person:syn:00001234 (URL-encode it).',
};
const PERSON_NOT_FOUND = 'No person has this uid.';
const NOT_ADMIN = 'The key is not an admin key.';

/** The audit note of an erasure: the action, its reason and legal basis, and what it changed. */
export function erasureNote(body: EraseSubjectBodyDto, result?: ErasureResult): string {
  const parts = [
    'subject erasure',
    `reason: ${body.reason}`,
    ...(body.legalBasis === undefined ? [] : [`legal basis: ${body.legalBasis}`]),
  ];
  if (result !== undefined) {
    parts.push(
      result.changed
        ? `done: name pseudonymised, fields removed [${result.removedFields.join(', ')}], ` +
            `${result.pseudonymisedIdentifiers.length} identifiers pseudonymised, ` +
            `${result.sharedIdentifiersKept.length} shared ones kept`
        : 'done: nothing left to erase (erased before)',
    );
  }
  return parts.join('; ');
}

/**
 * Data subject rights (GDPR Art. 15 and 17) for a Person, within AML retention: everything held
 * about them, and erasure by pseudonymisation. Admins only; both are audited (the erasure with
 * its reason).
 */
@ApiTags('subjects')
@ApiSecurity('api-key')
@ApiProtectedErrors({ forbidden: NOT_ADMIN })
@MinimumRole('admin')
@Controller(`${API_V1}/subjects`)
export class SubjectsController {
  constructor(private readonly subjects: SubjectsService) {}

  @RequiresStepUp()
  @Get(':personId/export')
  @ApiOperation({
    summary:
      'Everything held about a person (admin only): the Person, accounts held, identifiers, movements, alerts, ownership and audit entries.',
  })
  @ApiParam(PERSON_ID)
  @ApiOkResponse({ type: SubjectExportResponse, description: 'Everything held about the person.' })
  @ApiErrorResponses({
    notFound: PERSON_NOT_FOUND,
    forbidden: `${NOT_ADMIN} ${STEP_UP_REQUIRED_ANSWER}`,
  })
  export(@Param('personId') personId: string): Promise<SubjectExport> {
    return this.subjects.export(personId);
  }

  @RequiresStepUp()
  @Post(':personId/erase')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Erases a person by pseudonymisation (admin only): name, birth date, nationality, residence and contact identifiers; keeps what AML law retains. Idempotent; audited with its reason.',
  })
  @ApiParam(PERSON_ID)
  @ApiBody({
    type: EraseSubjectBodyDto,
    examples: {
      request: {
        summary: 'An erasure request with its legal basis',
        value: {
          reason: 'Art. 17 request, ticket DPO-2025-0173',
          legalBasis: 'GDPR Art. 17(1)(a)',
        },
      },
    },
  })
  @ApiOkResponse({
    type: ErasureResultResponse,
    description: 'What the erasure changed (changed is false when it was erased before).',
  })
  @ApiErrorResponses({
    badRequest:
      'reason is missing, shorter than 10 or longer than 1000 characters; legalBasis is empty or longer than 200; or the body has other fields.',
    notFound: PERSON_NOT_FOUND,
    forbidden: `${NOT_ADMIN} ${STEP_UP_REQUIRED_ANSWER}`,
    payloadTooLarge: true,
  })
  async erase(
    @Param('personId') personId: string,
    @Body() body: EraseSubjectBodyDto,
    @Req() request: RequestWithAuditNote,
  ): Promise<ErasureResult> {
    // Set first, so that a failed erasure is in the trail with its reason as well.
    request.auditNote = erasureNote(body);
    const result = await this.subjects.erase(personId);
    request.auditNote = erasureNote(body, result);
    return result;
  }
}
