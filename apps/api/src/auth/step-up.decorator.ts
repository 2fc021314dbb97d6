import { SetMetadata } from '@nestjs/common';
import { ALERT_STATUSES } from '@app/vocabulary';

/** The parts of a request a step-up condition may look at (the body is not validated yet). */
export interface StepUpRequest {
  body?: unknown;
}

/** Whether a call of a route needs a step-up; routes without a condition always do. */
export type StepUpCondition = (request: StepUpRequest) => boolean;

export const STEP_UP_KEY = 'auth:step-up';

const always: StepUpCondition = () => true;

/**
 * Marks a sensitive route: the caller needs a recent second factor (an identity-provider token
 * whose `amr`/`acr` shows one within STEP_UP_MAX_AGE_SECONDS, or a step-up token from
 * `POST /api/v1/mfa/step-up` in the `X-Step-Up-Token` header). Without one the answer is 403
 * `step_up_required`. With a condition, only the calls it matches need one.
 */
export const RequiresStepUp = (when: StepUpCondition = always): MethodDecorator =>
  SetMetadata(STEP_UP_KEY, when);

/** Alert statuses that close an alert. */
export const CLOSING_ALERT_STATUSES: readonly string[] = ALERT_STATUSES.filter((status) =>
  status.startsWith('closed-'),
);

/** A status change whose target status closes the alert (`PATCH /alerts/{id}`). */
export const whenClosingAlert: StepUpCondition = (request) => {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return false;
  const status: unknown = (body as Record<string, unknown>).status;
  return typeof status === 'string' && CLOSING_ALERT_STATUSES.includes(status);
};
