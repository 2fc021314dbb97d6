import type { BaseMoney, Movement } from '@app/vocabulary';
import type { ParameterSpec } from './detector';
import { minorIn } from './parameters';

/**
 * Which movements count as transfers for a network rule. Card purchases and cash are spending
 * and cash handling rather than transfers between parties, payroll runs are a known legitimate
 * fan-out, and small everyday amounts (gifts, shared bills) are noise for layering patterns.
 */
export type TransferFilterParams = {
  ignoredChannels: readonly string[];
  /** References (case-insensitive, exact) of movements that never count, e.g. "salary". */
  exemptReferences: readonly string[];
  /** Movements below this amount (major units of the base currency) do not count. */
  minAmount: string;
};

export const TRANSFER_FILTER_SPECS: readonly ParameterSpec[] = [
  {
    name: 'ignoredChannels',
    kind: 'stringList',
    description: 'Channels that do not count (card purchases, cash).',
  },
  {
    name: 'exemptReferences',
    kind: 'stringList',
    description:
      'Payment references that never count (case-insensitive), e.g. salary for payroll runs.',
  },
  {
    name: 'minAmount',
    kind: 'decimal',
    description: 'Smallest movement (major units) that counts.',
  },
];

/**
 * Purpose codes of ordinary recurring commerce: payroll, rent, utilities and supplier invoices.
 * Exempting them is what keeps network rules off landlords, employers and trading companies;
 * a deployment must be able to trust these codes (they come from the payment scheme, not from
 * free text the customer types).
 */
export const ORDINARY_COMMERCE_REFERENCES: readonly string[] = [
  'salary',
  'rent',
  'utility',
  'invoice',
];

export const DEFAULT_TRANSFER_FILTER: TransferFilterParams = {
  ignoredChannels: ['card', 'cash'],
  exemptReferences: ORDINARY_COMMERCE_REFERENCES,
  minAmount: '500.00',
};

export class TransferFilter {
  private readonly channels: ReadonlySet<string>;
  private readonly references: ReadonlySet<string>;
  private readonly minBase: number;

  /**
   * The minimum amount is compared in the base currency of `money` (the run's), so a 500.00
   * minimum neither lets 500 yen through nor keeps a Bitcoin transfer out.
   */
  constructor(
    params: TransferFilterParams,
    private readonly money: BaseMoney,
  ) {
    this.channels = new Set(params.ignoredChannels);
    this.references = new Set(params.exemptReferences.map((r) => r.toLowerCase()));
    this.minBase = minorIn(params.minAmount, money.currency);
  }

  accepts(m: Movement): boolean {
    if (m.fromAccount === m.toAccount || this.channels.has(m.channel)) return false;
    if (m.reference !== undefined && this.references.has(m.reference.toLowerCase())) return false;
    return this.minBase === 0 || this.money.of(m) >= this.minBase;
  }
}
