import type { IdentifierUse } from '@app/detectors';

/**
 * Accounts an identifier (device, IP address, phone, e-mail, address) may have been used by
 * before it counts as a hub: from the moment more accounts than this had first used it (a public
 * Wi-Fi, a shared office line), it links no one, like the fraud-ring rule's hub cap.
 */
export const MAX_USERS_PER_IDENTIFIER = 50;
/** Identifiers kept per account: its earliest first uses; later ones are not looked at. */
export const MAX_IDENTIFIERS_PER_ACCOUNT = 32;

interface Use {
  /** The account (in an identifier's list) or the identifier (in an account's list). */
  readonly key: string;
  firstSeen: number;
}

interface IdentifierState {
  /** The earliest first uses, at most MAX_USERS_PER_IDENTIFIER, by time then account. */
  users: Use[];
  /** The earliest first use left out of `users` (+Infinity: none): from then on it is a hub. */
  hubFrom: number;
}

/** What the shared-identifier features read for one movement. */
export interface SharedIdentifiers {
  /** Other accounts sharing an identifier with the sender (first uses before `at`). */
  sender: number;
  /** The same for the beneficiary. */
  receiver: number;
  /** Whether sender and beneficiary share an identifier (both first uses before `at`). */
  shared: boolean;
}

const byTimeThenKey = (a: Use, b: Use): number =>
  a.firstSeen - b.firstSeen || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Who used which identifier since when, for the shared-identifier features. Uses may arrive in
 * any order and more than once (a USES edge sent again with a later lastSeen): a use is kept
 * with its earliest first-use time, and a question about time `at` reads only uses that began
 * strictly before `at`, so the answer does not depend on when a use was fed, only on whether it
 * was fed before the question (batch feeds every USES edge of the dataset first; the stream
 * feeds them as they arrive).
 *
 * Bounded: per identifier the MAX_USERS_PER_IDENTIFIER earliest users and the time of the next
 * one (from which the identifier is a hub and links no one); per account its
 * MAX_IDENTIFIERS_PER_ACCOUNT earliest identifiers. Both keep the earliest uses, so what is kept
 * does not depend on the order uses were fed either. Per account met, the accounts last found
 * linked to it are cached (at most MAX_IDENTIFIERS_PER_ACCOUNT × MAX_USERS_PER_IDENTIFIER). One corner is approximate: an account left
 * out of a full identifier that is fed again with an earlier first use is counted as a further
 * user, so the identifier may turn into a hub a little early.
 */
export class IdentifierUses {
  private readonly identifiers = new Map<string, IdentifierState>();
  private readonly accounts = new Map<string, Use[]>();
  /** Bumped by every use added: links cached before it are stale. */
  private version = 0;
  /** Per account, the accounts last found linked to it and the times between which they hold. */
  private readonly linked = new Map<string, CachedLinks>();

  add(use: IdentifierUse): void {
    const { accountId, identifierUid, firstSeen } = use;
    if (!Number.isFinite(firstSeen)) return;
    this.version += 1;
    let identifier = this.identifiers.get(identifierUid);
    if (!identifier) {
      identifier = { users: [], hubFrom: Number.POSITIVE_INFINITY };
      this.identifiers.set(identifierUid, identifier);
    }
    keepEarliest(identifier.users, accountId, firstSeen, MAX_USERS_PER_IDENTIFIER, (left) => {
      identifier.hubFrom = Math.min(identifier.hubFrom, left);
    });
    let list = this.accounts.get(accountId);
    if (!list) {
      list = [];
      this.accounts.set(accountId, list);
    }
    keepEarliest(list, identifierUid, firstSeen, MAX_IDENTIFIERS_PER_ACCOUNT, () => undefined);
  }

  /** The shared-identifier features of a movement from `sender` to `receiver` at `at`. */
  sharedAt(sender: string, receiver: string, at: number): SharedIdentifiers {
    const linked = this.linkedAt(sender, at);
    const shared = linked.has(receiver);
    return { sender: linked.size, receiver: this.linkedAt(receiver, at).size, shared };
  }

  /** Identifiers and (account, identifier) uses held. */
  size(): { identifiers: number; uses: number } {
    let uses = 0;
    for (const s of this.identifiers.values()) uses += s.users.length;
    return { identifiers: this.identifiers.size, uses };
  }

  /**
   * The other accounts linked to `uid` at `at`: those that first used, before `at`, one of its
   * identifiers (first used before `at` too) that is not a hub by then. The answer only changes
   * when `at` passes a first use or a hub time it read, so it is cached with the interval around
   * `at` in which it holds (after the latest such time it counted, up to the earliest it left
   * out), until a use is added: a busy account pays the walk once per change, not per movement.
   */
  private linkedAt(uid: string, at: number): ReadonlySet<string> {
    const cached = this.linked.get(uid);
    if (cached && cached.version === this.version && at > cached.after && at <= cached.until)
      return cached.accounts;
    const list = this.accounts.get(uid);
    if (!list) return NONE;
    const accounts = new Set<string>();
    let after = Number.NEGATIVE_INFINITY;
    let until = Number.POSITIVE_INFINITY;
    for (const mine of list) {
      if (mine.firstSeen >= at) {
        until = Math.min(until, mine.firstSeen);
        break;
      }
      after = Math.max(after, mine.firstSeen);
      const identifier = this.identifiers.get(mine.key);
      if (!identifier) continue;
      if (identifier.hubFrom < at) {
        after = Math.max(after, identifier.hubFrom);
        continue;
      }
      until = Math.min(until, identifier.hubFrom);
      for (const user of identifier.users) {
        if (user.firstSeen >= at) {
          until = Math.min(until, user.firstSeen);
          break;
        }
        after = Math.max(after, user.firstSeen);
        if (user.key !== uid) accounts.add(user.key);
      }
    }
    this.linked.set(uid, { version: this.version, after, until, accounts });
    return accounts;
  }
}

const NONE: ReadonlySet<string> = new Set();

interface CachedLinks {
  version: number;
  /** The links hold for times after this one… */
  after: number;
  /** …up to and including this one. */
  until: number;
  accounts: ReadonlySet<string>;
}

/**
 * Puts (key, firstSeen) in `list` (sorted by time then key, at most `cap` long), keeping the
 * earliest time of a key already there; `left` gets the time of a use that does not fit.
 */
function keepEarliest(
  list: Use[],
  key: string,
  firstSeen: number,
  cap: number,
  left: (firstSeen: number) => void,
): void {
  const index = list.findIndex((u) => u.key === key);
  if (index >= 0) {
    if (list[index].firstSeen <= firstSeen) return;
    list.splice(index, 1);
  }
  const use: Use = { key, firstSeen };
  let at = list.length;
  while (at > 0 && byTimeThenKey(list[at - 1], use) > 0) at -= 1;
  if (at >= cap) {
    left(firstSeen);
    return;
  }
  list.splice(at, 0, use);
  if (list.length > cap) {
    const dropped = list.pop();
    if (dropped) left(dropped.firstSeen);
  }
}
