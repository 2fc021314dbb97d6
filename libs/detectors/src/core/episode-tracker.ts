import { createHash } from 'node:crypto';
import { Sweeper } from './sweeper';

/** A stable, short hex digest of the parts (sha-256, first 32 hex digits). */
export function fingerprintOf(...parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);
}

interface Episode {
  fingerprint: string;
  lastAt: number;
}

const SWEEP_EVERY = 1024;

/**
 * Gives every firing of a rule a deterministic fingerprint such that a pattern that keeps
 * growing maps to the same alert.
 *
 * An episode starts when a rule first fires for a key; its fingerprint is
 * `sha256(ruleId | primary key | start of the evidence window)`. Later firings that share a
 * member with an open episode (one that fired within `gapMs`) reuse its fingerprint, so the
 * stored alert is updated instead of duplicated. Replaying the same movements in the same order
 * always yields the same fingerprints, which is what lets batch and stream modes agree.
 *
 * State is bounded: episodes idle for longer than `gapMs` are forgotten.
 */
export class EpisodeTracker {
  private readonly byMember = new Map<string, Episode>();
  private readonly sweeper = new Sweeper(SWEEP_EVERY);

  constructor(
    private readonly ruleId: string,
    private readonly gapMs: number,
  ) {}

  /**
   * @param members the key entity first, then other members that identify the same pattern
   * @param startMs start of the evidence window when the rule fires (used for new episodes)
   * @param atMs the instant of the firing (the triggering movement's timestamp)
   */
  fingerprint(members: readonly string[], startMs: number, atMs: number): string {
    if (this.sweeper.due()) this.sweep(atMs);
    let episode: Episode | undefined;
    for (const member of members) {
      const candidate = this.byMember.get(member);
      if (candidate && atMs - candidate.lastAt <= this.gapMs) {
        episode = candidate;
        break;
      }
    }
    if (!episode) {
      episode = {
        fingerprint: fingerprintOf(this.ruleId, members[0] ?? '', startMs),
        lastAt: atMs,
      };
    }
    episode.lastAt = Math.max(episode.lastAt, atMs);
    for (const member of members) this.byMember.set(member, episode);
    return episode.fingerprint;
  }

  size(): number {
    return this.byMember.size;
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.byMember.size);
    for (const [member, episode] of this.byMember) {
      if (now - episode.lastAt > this.gapMs) this.byMember.delete(member);
    }
  }
}
