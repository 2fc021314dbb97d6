import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import type { AccountEvent } from '../core/activity';
import type { ActivityDetector, AlertDraft, Evaluator, EvaluatorContext } from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { distanceKm } from '../core/geo';
import { durationText, instant, MS_PER_DAY, MS_PER_HOUR } from '../core/format';
import { scoreAbove } from '../core/scoring';

export type ImpossibleTravelParams = {
  /** Speeds above this between two geolocated actions of one account are impossible. */
  maxSpeedKmh: number;
  /** Shorter distances are ignored (geolocation noise). */
  minDistanceKm: number;
};

const RULE_ID = 'fraud.impossible-travel';

interface Point {
  timestamp: number;
  latitude: number;
  longitude: number;
  country?: string;
  movement?: Movement;
  event?: AccountEvent;
}

class ImpossibleTravelEvaluator implements Evaluator {
  private readonly last = new Map<string, Point>();
  private readonly episodes = new EpisodeTracker(RULE_ID, MS_PER_DAY);

  constructor(
    private readonly params: ImpossibleTravelParams,
    private readonly context: EvaluatorContext,
  ) {}

  onMovement(m: Movement): AlertDraft[] {
    if (m.latitude === undefined || m.longitude === undefined) return [];
    // The sender initiates a movement, so its location is the sender's.
    return this.visit(m.fromAccount, {
      timestamp: m.timestamp,
      latitude: m.latitude,
      longitude: m.longitude,
      country: m.country,
      movement: m,
    });
  }

  onEvent(e: AccountEvent): AlertDraft[] {
    if (e.latitude === undefined || e.longitude === undefined) return [];
    return this.visit(e.accountId, {
      timestamp: e.timestamp,
      latitude: e.latitude,
      longitude: e.longitude,
      country: e.country,
      event: e,
    });
  }

  stateSize(): number {
    return this.last.size + this.episodes.size();
  }

  private visit(account: string, point: Point): AlertDraft[] {
    if (!tracks(this.context, account)) return [];
    const previous = this.last.get(account);
    this.last.set(account, point);
    if (!previous) return [];
    const km = distanceKm(previous.latitude, previous.longitude, point.latitude, point.longitude);
    if (km < this.params.minDistanceKm) return [];
    const hours = (point.timestamp - previous.timestamp) / MS_PER_HOUR;
    const speed = hours <= 0 ? Number.POSITIVE_INFINITY : km / hours;
    if (speed <= this.params.maxSpeedKmh) return [];
    const where = (p: Point): string =>
      `${p.country ?? 'unknown country'} (${p.latitude.toFixed(2)}, ${p.longitude.toFixed(2)})`;
    const what = (p: Point): string =>
      p.event ? `${p.event.kind} ${p.event.eventId}` : `movement ${p.movement?.movementId ?? ''}`;
    return [
      {
        fingerprint: this.episodes.fingerprint([account], previous.timestamp, point.timestamp),
        subject: account,
        score: scoreAbove(
          Math.min(speed, this.params.maxSpeedKmh * 10),
          this.params.maxSpeedKmh,
          this.params.maxSpeedKmh * 5,
        ),
        explanation:
          `Account ${account}: ${what(previous)} at ${instant(previous.timestamp)} in ${where(previous)} and ` +
          `${what(point)} at ${instant(point.timestamp)} in ${where(point)} are ${Math.round(km)} km apart ` +
          `in ${durationText(point.timestamp - previous.timestamp)}` +
          (Number.isFinite(speed) ? ` (${Math.round(speed)} km/h` : ' (no time between them') +
          `; the rule fires above ${this.params.maxSpeedKmh} km/h).`,
        windowStart: previous.timestamp,
        windowEnd: point.timestamp,
        movements: [previous.movement, point.movement].flatMap((m) => (m ? [m] : [])),
        events: [previous.event, point.event].flatMap((e) => (e ? [e] : [])),
        parties: [{ uid: account, role: 'subject' }],
        facts: {
          distanceKm: Math.round(km),
          speedKmh: Number.isFinite(speed) ? Math.round(speed) : -1,
        },
      },
    ];
  }
}

/** Impossible travel: two geolocated actions of one account too far apart for the time between them. */
export const impossibleTravelDetector: ActivityDetector<ImpossibleTravelParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'impossible-travel',
  family: 'fraud',
  description:
    'Two consecutive geolocated logins or payments of one account whose distance over elapsed time exceeds a plausible travel speed (900 km/h by default).',
  source:
    'Impossible-travel rule of identity-threat detection (e.g. Microsoft Entra ID Protection); DOMAIN.md section 3',
  parameters: [
    {
      name: 'maxSpeedKmh',
      kind: 'number',
      min: 1,
      max: 100000,
      description: 'Fastest plausible travel speed.',
    },
    {
      name: 'minDistanceKm',
      kind: 'number',
      min: 0,
      max: 20000,
      description: 'Distances below are ignored.',
    },
  ],
  defaults: (_config: DetectorsConfig): ImpossibleTravelParams => ({
    maxSpeedKmh: 900,
    minDistanceKm: 100,
  }),
  lookbackMs: () => 7 * MS_PER_DAY,
  batchPlan: () => ({
    kind: 'accounts',
    direction: 'out',
    needsEvents: true,
    select: (m) => (m.latitude !== undefined && m.longitude !== undefined ? [m.fromAccount] : []),
  }),
  createEvaluator: (params, context) => new ImpossibleTravelEvaluator(params, context),
};
