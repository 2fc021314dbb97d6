import type { InterestType } from '@app/vocabulary';
import type {
  BpRange,
  Chain,
  ControlKind,
  ControlResult,
  OwnerResult,
  ResolvedUboOptions,
  SeniorManagingOfficial,
  ShareRange,
  UboBasis,
} from '../ubo.types';
import type { OwnershipGraph } from './ownership-graph';
import { parseRational, percentText } from './share-interval';

/**
 * Sentences that say why an answer is what it is, for analysts: chains written with names and
 * shares, the basis of each beneficial owner, and the caveats (cycles, depth limit) that make
 * numbers look different from what one would add up by hand.
 */

/** At most this many chains or reasons are written out per person (the rest are counted). */
const LISTED = 3;

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function bpPercent(bp: number): string {
  return trimZeros((bp / 100).toFixed(2));
}

/** A share as written for people: "25%", "2/3 (about 66.6666%)", "20%-30%". */
export function shareText(share: ShareRange): string {
  const low = trimZeros(share.minPercent);
  const high = trimZeros(share.maxPercent);
  if (share.exact) {
    if (low === high) return `${low}%`;
    return `${share.min} (about ${trimZeros(percentText(parseRational(share.min), 'floor', 4))}%)`;
  }
  return `${share.minExclusive ? 'more than ' : ''}${low}% to ${share.maxExclusive ? 'less than ' : ''}${high}%`;
}

function bpText(bp: BpRange): string {
  if (bp.minBp === bp.maxBp && !bp.minExclusive && !bp.maxExclusive)
    return `${bpPercent(bp.minBp)}%`;
  return `${bp.minExclusive ? '>' : ''}${bpPercent(bp.minBp)}%-${bp.maxExclusive ? '<' : ''}${bpPercent(bp.maxBp)}%`;
}

const INTEREST_WORDS: Partial<Record<InterestType, string>> = {
  appointmentOfBoard: 'appoints the board',
  otherInfluenceOrControl: 'other influence or control',
  votingRights: 'votes',
  seniorManagingOfficial: 'senior managing official',
  boardChair: 'board chair',
  boardMember: 'board member',
  beneficiaryOfLegalArrangement: 'beneficiary',
  unknownInterest: 'unknown interest',
  unpublishedInterest: 'unpublished interest',
};

export function interestWords(type: InterestType): string {
  return INTEREST_WORDS[type] ?? type.replace(/([A-Z])/g, ' $1').toLowerCase();
}

export function nameOf(graph: OwnershipGraph, uid: string): string {
  return graph.persons.get(uid)?.props.name ?? graph.companies.get(uid)?.props.name ?? uid;
}

/** "Ann -> Holdco (50%) -> Target (30%) = 15%", or with interests where there is no share. */
export function chainText(graph: OwnershipGraph, chain: Chain): string {
  const steps = chain.links.map((link) => {
    const what =
      link.share === null
        ? interestWords(link.interestType)
        : link.interestType === 'shareholding'
          ? bpText(link.share)
          : `${bpText(link.share)} ${interestWords(link.interestType)}`;
    // A declared indirect interest stands for a chain the data does not give link by link.
    const indirect = link.directOrIndirect === 'indirect' ? ', declared indirect' : '';
    return `${nameOf(graph, link.to)} (${what}${indirect})`;
  });
  const start = nameOf(graph, chain.entities[0]);
  const product =
    chain.product !== null && chain.links.length > 1 ? ` = ${shareText(chain.product)}` : '';
  return [start, ...steps].join(' -> ') + product;
}

function listed<T>(items: readonly T[], write: (item: T) => string, more = 0): string {
  const shown = items.slice(0, LISTED).map(write);
  const rest = items.length - shown.length + more;
  return shown.join('; ') + (rest > 0 ? `; and ${rest} more` : '');
}

const KIND_WORDS: Readonly<Record<ControlKind, string>> = {
  'majority-chain': 'a majority (more than 50%) at every link',
  'appointment-of-board': 'the right to appoint the board',
  'voting-rights': 'voting rights that meet the threshold',
  'other-influence-or-control': 'other influence or control',
  'legal-arrangement': 'a role in a legal arrangement',
  nominator: 'being the nominator behind a nominee',
  'controls-direct-shareholder': 'control of an entity that holds a qualifying share',
  'other-ownership-interest': 'rights to profit or assets that meet the threshold',
  'unknown-interest': 'an interest of unknown kind (possibly control)',
};

export function thresholdText(options: ResolvedUboOptions): string {
  return `${options.comparator === 'at-least' ? '' : 'more than '}${bpPercent(options.thresholdBp)}%${options.comparator === 'at-least' ? ' or more' : ''}`;
}

function ownershipSentence(
  graph: OwnershipGraph,
  owner: OwnerResult,
  options: ResolvedUboOptions,
): string {
  const target = graph.target.props.name;
  const attributed =
    options.method === 'multiplication'
      ? ''
      : `; ${shareText(owner.attributedShare)} is attributed to them under ${options.method}`;
  const how = owner.qualifies === 'possibly' ? 'may reach' : 'reaches';
  const chains =
    owner.chains.length === 0
      ? ''
      : `, through ${listed(owner.chains, (chain) => chainText(graph, chain), owner.chainsTruncated ? 1 : 0)}`;
  return `Holds ${shareText(owner.effectiveShare)} of ${target}${attributed}, which ${how} the threshold of ${thresholdText(options)}${chains}.${owner.shareExplanation !== undefined ? ` ${owner.shareExplanation}` : ''}`;
}

function controlSentence(graph: OwnershipGraph, control: ControlResult): string {
  const target = graph.target.props.name;
  const reasons = listed(control.reasons, (reason) => {
    const carried =
      reason.chain.links.length > 1
        ? ` (held by ${nameOf(graph, reason.chain.links[reason.chain.links.length - 1].from)} and carried up to ${nameOf(graph, control.uid)}, who controls it)`
        : '';
    return `${KIND_WORDS[reason.kind]}${reason.qualifies === 'possibly' ? ' (possibly)' : ''}${carried}: ${chainText(graph, reason.chain)}`;
  });
  return `${control.qualifies === 'possibly' ? 'May control' : 'Controls'} ${target} through ${reasons}.`;
}

export interface ExplainInput {
  uid: string;
  bases: readonly UboBasis[];
  ownership?: OwnerResult;
  control?: ControlResult;
  controlProng?: boolean;
  official?: SeniorManagingOfficial;
  fallbackReason?: string;
}

/** Why one person is named: each basis with the chains behind it. */
export function explainBeneficialOwner(
  graph: OwnershipGraph,
  input: ExplainInput,
  options: ResolvedUboOptions,
): string {
  const target = graph.target.props.name;
  const parts: string[] = [];
  if (input.ownership && input.bases.includes('ownership'))
    parts.push(ownershipSentence(graph, input.ownership, options));
  if (input.control && input.bases.includes('control'))
    parts.push(controlSentence(graph, input.control));
  if (input.controlProng === true) {
    parts.push(
      `Named as the one US control-prong individual (significant responsibility to control ${target})${input.official ? ` as ${interestWords(input.official.role)}` : ''}.`,
    );
  }
  if (input.bases.includes('fallback-senior-managing-official') && input.official) {
    const through =
      input.official.through !== undefined
        ? ` The role is held by ${nameOf(graph, input.official.through.links[input.official.through.links.length - 1].from)}, which this person controls: ${chainText(graph, input.official.through)}.`
        : '';
    parts.push(
      `Named as ${interestWords(input.official.role)} of ${target} under the regime's fallback: ${input.fallbackReason ?? 'nobody qualifies by ownership or control'}.${through}`,
    );
  }
  return parts.join(' ');
}
