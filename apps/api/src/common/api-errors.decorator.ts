import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBody } from './error-body';

/*
 * Error answers in the OpenAPI document, all with the one error body (ErrorBody).
 *
 * - `@ApiProtectedErrors()` on a controller whose routes need an API key documents the answers
 *   every such route can give: 400 (a credential in the query string, an unknown query
 *   parameter), 401, 403, 429 (rate limits, with Retry-After), 503 and 504 (graph store or rate-limit store down or
 *   too slow). Nest applies a controller's responses to each of its routes.
 * - `@ApiErrorResponses({ … })` on a route adds the answers particular to it (a path id looked up
 *   → notFound, a state change → conflict, a body → payloadTooLarge…), each with a description
 *   of when it happens; a route's own description of a status replaces the controller's.
 *   Put each status once on a target: two descriptions of one status on the same method (or
 *   the same controller) are joined, not replaced.
 *
 * test/e2e/openapi-contract.e2e-spec.ts fails when a route under /api lacks the ones it needs.
 */

/** A description of when the status is answered, or `true` for the standard description. */
type When = string | true;

export interface ApiErrorOptions {
  badRequest?: When;
  notFound?: When;
  conflict?: When;
  payloadTooLarge?: When;
  unsupportedMediaType?: When;
  forbidden?: When;
  serviceUnavailable?: When;
}

const STANDARD: Readonly<Record<keyof ApiErrorOptions, [HttpStatus, string]>> = {
  badRequest: [
    HttpStatus.BAD_REQUEST,
    'The request is invalid: details.problems names each field and the rule it broke (also: an unknown parameter, or a credential sent in the query string).',
  ],
  notFound: [HttpStatus.NOT_FOUND, 'Nothing has this id.'],
  conflict: [HttpStatus.CONFLICT, 'The request conflicts with the current state.'],
  payloadTooLarge: [
    HttpStatus.PAYLOAD_TOO_LARGE,
    'The body is larger than the API accepts (BODY_LIMIT).',
  ],
  unsupportedMediaType: [
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    'The Content-Type is not one this route reads.',
  ],
  forbidden: [HttpStatus.FORBIDDEN, 'The API key does not have the role this route needs.'],
  serviceUnavailable: [
    HttpStatus.SERVICE_UNAVAILABLE,
    'The graph store, or the shared rate-limit store (RATE_LIMIT_STORE=redis), is unreachable; try again later.',
  ],
};

function errorResponse(status: HttpStatus, description: string): ClassDecorator & MethodDecorator {
  return ApiResponse({ status, type: ErrorBody, description });
}

/** Route-specific error answers; see the file comment. */
export function ApiErrorResponses(options: ApiErrorOptions): MethodDecorator & ClassDecorator {
  const decorators = (Object.keys(STANDARD) as (keyof ApiErrorOptions)[]).flatMap((key) => {
    const when = options[key];
    if (when === undefined) return [];
    const [status, standard] = STANDARD[key];
    return [errorResponse(status, when === true ? standard : when)];
  });
  return applyDecorators(...decorators);
}

/**
 * The error answers of every route that needs an API key; put it on the controller.
 * `forbidden` replaces the standard description of 403 (e.g. "needs an admin key").
 */
export function ApiProtectedErrors(
  options: { forbidden?: string } = {},
): ClassDecorator & MethodDecorator {
  return applyDecorators(
    errorResponse(HttpStatus.BAD_REQUEST, STANDARD.badRequest[1]),
    errorResponse(
      HttpStatus.UNAUTHORIZED,
      'No API key, or an unknown one: send a valid key in the X-API-Key header.',
    ),
    errorResponse(HttpStatus.FORBIDDEN, options.forbidden ?? STANDARD.forbidden[1]),
    errorResponse(
      HttpStatus.TOO_MANY_REQUESTS,
      'Too many requests from this API key or client address; the Retry-After header says how many seconds to wait.',
    ),
    errorResponse(HttpStatus.SERVICE_UNAVAILABLE, STANDARD.serviceUnavailable[1]),
    errorResponse(
      HttpStatus.GATEWAY_TIMEOUT,
      'The graph store did not answer in time; try again, or ask for less.',
    ),
  );
}
