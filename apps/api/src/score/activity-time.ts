import { InvalidInputError } from '@app/vocabulary';
import type { FieldProblem } from '@app/vocabulary';

/**
 * How far ahead of this server's clock an activity's timestamp may be: the clock skew a bank
 * tolerates between the systems that send activities and this one (five minutes, the usual
 * bound for clocks kept by NTP, and the one Kerberos uses). The real-time engine takes
 * activities in time order, so one dated later than that would hold back every ordinary
 * activity until a restart; it is refused with 400 instead. A constant rather than a setting:
 * a larger value would only widen that window.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** MAX_CLOCK_SKEW_MS in words, for messages and the OpenAPI document. */
export const MAX_CLOCK_SKEW_TEXT = '5 minutes';

/** What the OpenAPI document says of every `timestamp` field of the scoring routes. */
export const TIMESTAMP_DESCRIPTION = `When it happened, ISO 8601 with its time zone (e.g. 2025-01-06T10:15:00Z). At most ${MAX_CLOCK_SKEW_TEXT} ahead of the server's clock (the clock skew allowed between systems); later ones are refused with 400.`;

/** One activity's time and the request field that names it ("" or "movements.3"). */
export interface TimedField {
  timestamp: number;
  field: string;
}

/**
 * Refuses (InvalidInputError, 400, one problem per bad item) timestamps the server cannot read
 * (ISO 8601 week dates and the basic format without dashes pass the format check but are not
 * dates JavaScript reads) and timestamps more than MAX_CLOCK_SKEW_MS after `now`.
 */
export function assertTimely(items: readonly TimedField[], now: number): void {
  const problems: FieldProblem[] = [];
  let ahead = false;
  for (const { timestamp, field } of items) {
    const name = field === '' ? 'timestamp' : `${field}.timestamp`;
    if (Number.isNaN(timestamp)) {
      problems.push({
        field: name,
        rule: 'must be a date and time the server can read, written like 2025-01-06T10:15:00Z',
      });
    } else if (timestamp > now + MAX_CLOCK_SKEW_MS) {
      ahead = true;
      problems.push({
        field: name,
        rule: `must not be more than ${MAX_CLOCK_SKEW_TEXT} ahead of the server's clock (it was ${new Date(now).toISOString()})`,
      });
    }
  }
  if (problems.length === 0) return;
  const why = ahead
    ? ` The real-time engine takes activities in time order, so one dated more than ${MAX_CLOCK_SKEW_TEXT} ahead would hold back every activity before it: send activities as they happen, and check the sending system's clock if this is unexpected.`
    : '';
  throw new InvalidInputError(
    `The request is invalid: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}.${why}`,
    problems,
  );
}
