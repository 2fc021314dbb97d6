import type { Chain, OwnershipNetwork, UboAnswer } from '@app/ubo';
import { toCsv } from '../presentation/csv';

/** Columns of the UBO CSV export: one row per chain of each owner and control person. */
export const UBO_CSV_COLUMNS = [
  'targetId',
  'targetName',
  'regime',
  'asOf',
  'kind',
  'personId',
  'personName',
  'beneficialOwner',
  'qualifies',
  'shareMin',
  'shareMax',
  'sharePercentMin',
  'sharePercentMax',
  'controlKind',
  'chainNumber',
  'chain',
  'chainPercentMin',
  'chainPercentMax',
  'chainCounts',
] as const;

/** A chain in words: "Ann -[50%]-> Holdco -[50%]-> Target", with names where known. */
function chainText(chain: Chain, names: ReadonlyMap<string, string>): string {
  const name = (uid: string): string => names.get(uid) ?? uid;
  const parts = [name(chain.entities[0] ?? '')];
  for (const link of chain.links) {
    const share = link.share
      ? link.share.minBp === link.share.maxBp
        ? `${link.share.minBp / 100}%`
        : `${link.share.minBp / 100}-${link.share.maxBp / 100}%`
      : link.interestType;
    parts.push(`-[${share}]->`, name(link.to));
  }
  return parts.join(' ');
}

/**
 * The owners and control persons of a UBO answer as CSV: one row per chain (the person's
 * columns repeated on each), a person without listed chains on one row. Shares are exact
 * fractions of the whole ("1/4") with percent bounds beside them.
 */
export function uboCsv(answer: UboAnswer, names: ReadonlyMap<string, string>): string {
  const beneficial = new Set(answer.beneficialOwners.map((o) => o.uid));
  const common = {
    targetId: answer.target.uid,
    targetName: answer.target.name,
    regime: answer.options.regime,
    asOf: answer.options.asOf,
  };
  const rows: Record<string, unknown>[] = [];
  for (const owner of answer.owners) {
    const person = {
      ...common,
      kind: 'ownership',
      personId: owner.uid,
      personName: owner.name,
      beneficialOwner: beneficial.has(owner.uid),
      qualifies: owner.qualifies,
      shareMin: owner.effectiveShare.min,
      shareMax: owner.effectiveShare.max,
      sharePercentMin: owner.effectiveShare.minPercent,
      sharePercentMax: owner.effectiveShare.maxPercent,
    };
    if (owner.chains.length === 0) rows.push(person);
    owner.chains.forEach((chain, i) =>
      rows.push({
        ...person,
        chainNumber: i + 1,
        chain: chainText(chain, names),
        chainPercentMin: chain.product?.minPercent ?? '',
        chainPercentMax: chain.product?.maxPercent ?? '',
        chainCounts: chain.counts,
      }),
    );
  }
  for (const controller of answer.controlPersons) {
    controller.reasons.forEach((reason, i) =>
      rows.push({
        ...common,
        kind: 'control',
        personId: controller.uid,
        personName: controller.name,
        beneficialOwner: beneficial.has(controller.uid),
        qualifies: controller.qualifies,
        shareMin: reason.share?.min ?? '',
        shareMax: reason.share?.max ?? '',
        sharePercentMin: reason.share?.minPercent ?? '',
        sharePercentMax: reason.share?.maxPercent ?? '',
        controlKind: reason.kind,
        chainNumber: i + 1,
        chain: chainText(reason.chain, names),
        chainCounts: reason.chain.counts,
      }),
    );
  }
  // A beneficial owner named on another basis than the rows above (the regime's fallback, the US
  // control prong) gets a row of its own: the CSV names everyone the answer names.
  const listed = new Set(
    rows.filter((row) => row.beneficialOwner === true).map((row) => row.personId),
  );
  for (const owner of answer.beneficialOwners) {
    if (listed.has(owner.uid)) continue;
    rows.push({
      ...common,
      kind: owner.basis === 'fallback-senior-managing-official' ? 'fallback' : owner.basis,
      personId: owner.uid,
      personName: owner.name,
      beneficialOwner: true,
      qualifies: owner.qualifies,
      controlKind: owner.controlProng === true ? 'controlProng' : (owner.managementRole ?? ''),
    });
  }
  return toCsv(rows, UBO_CSV_COLUMNS);
}

/** Names of every node of the network, for chains written in words. */
export function namesOf(network: OwnershipNetwork): Map<string, string> {
  return new Map(network.nodes.map((n) => [n.id, n.name] as const));
}
