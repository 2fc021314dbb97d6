import { Injectable } from '@nestjs/common';
import { GraphStore } from '@app/graph-store';
import type { GraphVertex } from '@app/vocabulary';
import { partyRefOf } from './analyst-format';
import type { PartyRef } from './analyst-format';

/** An account with the names and business ids of the customers who hold it. */
export interface AccountParty extends PartyRef {
  holders: PartyRef[];
}

/**
 * Names and business ids of accounts and their holders, for answers written for analysts.
 * Costs two store reads whatever the number of accounts: their holders (`getHolders`), then
 * the accounts and holders themselves (`getVertices`); the store chunks long lists.
 */
@Injectable()
export class PartyDirectory {
  constructor(private readonly store: GraphStore) {}

  /** Each asked account that exists (or not: then only its uid and account number). */
  async accounts(accountIds: Iterable<string>): Promise<Map<string, AccountParty>> {
    const ids = [...new Set(accountIds)];
    const answer = new Map<string, AccountParty>();
    if (ids.length === 0) return answer;
    const holders = await this.store.getHolders(ids);
    const vertices = new Map<string, GraphVertex>(
      (await this.store.getVertices([...ids, ...holders.flatMap((h) => h.holderUids)])).map(
        (v) => [v.uid, v] as const,
      ),
    );
    for (const { accountId, holderUids } of holders) {
      const account = vertices.get(accountId);
      const ref: PartyRef = account
        ? partyRefOf(account)
        : { uid: accountId, label: 'Account', name: accountId };
      answer.set(accountId, {
        ...ref,
        holders: holderUids.flatMap((uid) => {
          const holder = vertices.get(uid);
          return holder ? [partyRefOf(holder)] : [];
        }),
      });
    }
    return answer;
  }
}
