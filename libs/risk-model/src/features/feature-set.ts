import { CHANNELS } from '@app/vocabulary';

/**
 * The features of one movement, in the order the model reads them. Every feature is computed
 * from the movement itself and from what happened before it (see MovementFeatureExtractor);
 * nothing after it is read. Renaming, adding or reordering a feature changes
 * FEATURE_SET_VERSION, and a model trained on another set is refused at load.
 */
export interface FeatureSpec {
  readonly name: string;
  /** What the feature measures, in one line for the model card and the README. */
  readonly meaning: string;
  /** The value in words an analyst reads beside an alert ("the sender paid 12 accounts…"). */
  readonly words: (value: number) => string;
}

const days = (value: number): string =>
  `${Math.round(value)} day${Math.round(value) === 1 ? '' : 's'}`;
const times = (value: number): string =>
  `${Math.round(value)} time${Math.round(value) === 1 ? '' : 's'}`;
const accounts = (value: number): string =>
  `${Math.round(value)} other account${Math.round(value) === 1 ? '' : 's'}`;
const yesNo = (value: number, yes: string, no: string): string => (value >= 0.5 ? yes : no);

/** Look-back of the windowed features, in days (the 24-hour and 48-hour ones are shorter). */
export const FEATURE_WINDOW_DAYS = 7;

export const FEATURES: readonly FeatureSpec[] = [
  {
    name: 'amountLog10',
    meaning: 'log10 of 1 + the amount in major units of the base currency',
    words: (v) =>
      `the amount is about ${Math.round(10 ** v - 1).toLocaleString('en-US')} in the base currency`,
  },
  {
    name: 'crossCurrency',
    meaning: '1 when the beneficiary receives another currency than the one paid',
    words: (v) => yesNo(v, 'the payment changes currency', 'the payment keeps its currency'),
  },
  {
    name: 'channel',
    meaning: 'payment format as its index in the vocabulary CHANNELS list',
    words: (v) => `the payment format (${CHANNEL_NAMES[Math.round(v)] ?? 'unknown'})`,
  },
  {
    name: 'senderOutCount7d',
    meaning: 'payments the sender made in the 7 days before',
    words: (v) => `the sender made ${times(v).replace('time', 'payment')} in the 7 days before`,
  },
  {
    name: 'senderOutDistinct7d',
    meaning: 'distinct accounts the sender paid in the 7 days before (fan-out)',
    words: (v) => `the sender paid ${Math.round(v)} distinct accounts in the 7 days before`,
  },
  {
    name: 'senderInCount7d',
    meaning: 'payments the sender received in the 7 days before',
    words: (v) => `the sender received ${times(v).replace('time', 'payment')} in the 7 days before`,
  },
  {
    name: 'senderInDistinct7d',
    meaning: 'distinct accounts that paid the sender in the 7 days before',
    words: (v) => `${Math.round(v)} distinct accounts paid the sender in the 7 days before`,
  },
  {
    name: 'receiverInCount7d',
    meaning: 'payments the beneficiary received in the 7 days before',
    words: (v) =>
      `the beneficiary received ${times(v).replace('time', 'payment')} in the 7 days before`,
  },
  {
    name: 'receiverInDistinct7d',
    meaning: 'distinct accounts that paid the beneficiary in the 7 days before (fan-in)',
    words: (v) => `${Math.round(v)} distinct accounts paid the beneficiary in the 7 days before`,
  },
  {
    name: 'receiverOutCount7d',
    meaning: 'payments the beneficiary made in the 7 days before',
    words: (v) =>
      `the beneficiary made ${times(v).replace('time', 'payment')} in the 7 days before`,
  },
  {
    name: 'receiverOutDistinct7d',
    meaning: 'distinct accounts the beneficiary paid in the 7 days before',
    words: (v) => `the beneficiary paid ${Math.round(v)} distinct accounts in the 7 days before`,
  },
  {
    name: 'senderOutCount1d',
    meaning: 'payments the sender made in the 24 hours before',
    words: (v) => `the sender made ${times(v).replace('time', 'payment')} in the 24 hours before`,
  },
  {
    name: 'receiverInCount1d',
    meaning: 'payments the beneficiary received in the 24 hours before',
    words: (v) =>
      `the beneficiary received ${times(v).replace('time', 'payment')} in the 24 hours before`,
  },
  {
    name: 'senderOutMeanLog10',
    meaning: "log10 of 1 + the sender's mean payment in the 7 days before (0: none)",
    words: (v) =>
      `the sender's usual payment is about ${Math.round(10 ** v - 1).toLocaleString('en-US')}`,
  },
  {
    name: 'amountToSenderMean',
    meaning: "this amount divided by the sender's mean payment in the 7 days before (0: none)",
    words: (v) => `the amount is ${v.toFixed(1)} times the sender's usual payment`,
  },
  {
    name: 'senderOutAmountCv',
    meaning:
      "dispersion of the sender's payments in the 7 days before (standard deviation / mean, from exact sums)",
    words: (v) => `the sender's payments vary by ${Math.round(v * 100)}% around their mean`,
  },
  {
    name: 'senderInflow48hRatio',
    meaning:
      'what the sender received in the 48 hours before, divided by this amount (capped at 10)',
    words: (v) => `the sender received ${v.toFixed(1)} times this amount in the 48 hours before`,
  },
  {
    name: 'passThrough48h',
    meaning: 'whether the sender received a similar amount (within 10%) in the 48 hours before',
    words: (v) =>
      yesNo(
        v,
        'the sender passes on an amount it received just before',
        'no similar amount came in just before',
      ),
  },
  {
    name: 'senderCurrencyChange',
    meaning: "1 when the sender's previous payment was in another currency",
    words: (v) => yesNo(v, 'the sender switched currency', 'the sender kept its currency'),
  },
  {
    name: 'senderChannelChange',
    meaning: "1 when the sender's previous payment used another payment format",
    words: (v) =>
      yesNo(v, 'the sender switched payment format', 'the sender kept its payment format'),
  },
  {
    name: 'senderCurrencies7d',
    meaning: 'distinct currencies in the sender’s payments in and out in the 7 days before',
    words: (v) => `the sender used ${Math.round(v)} currencies in the 7 days before`,
  },
  {
    name: 'newCounterparty',
    meaning: 'whether the sender had not paid this beneficiary in the 7 days before',
    words: (v) =>
      yesNo(
        v,
        'the sender had not paid this beneficiary recently',
        'the sender paid this beneficiary recently',
      ),
  },
  {
    name: 'senderAgeDays',
    meaning: 'days since the sender account was opened (or first seen)',
    words: (v) => `the sender account is ${days(v)} old`,
  },
  {
    name: 'receiverAgeDays',
    meaning: 'days since the beneficiary account was opened (or first seen)',
    words: (v) => `the beneficiary account is ${days(v)} old`,
  },
  {
    name: 'senderIdleDays',
    meaning: 'days since the sender last moved money (its age when never seen; capped at 400)',
    words: (v) => `the sender had been idle for ${days(v)}`,
  },
  {
    name: 'receiverIdleDays',
    meaning: 'days since the beneficiary last moved money (its age when never seen; capped at 400)',
    words: (v) => `the beneficiary had been idle for ${days(v)}`,
  },
  {
    name: 'jurisdictionRisk',
    meaning: 'how many of sender country, beneficiary country and movement country are high-risk',
    words: (v) =>
      `${Math.round(v)} high-risk jurisdiction${Math.round(v) === 1 ? '' : 's'} involved`,
  },
  {
    name: 'crossBorder',
    meaning: 'whether sender and beneficiary accounts are in different countries',
    words: (v) => yesNo(v, 'the payment crosses a border', 'the payment stays in one country'),
  },
  {
    name: 'roundAmount',
    meaning: 'whether the paid amount is a whole multiple of 100 in its currency',
    words: (v) => yesNo(v, 'the amount is round', 'the amount is not round'),
  },
  {
    name: 'ruleHits',
    meaning:
      'AML rule alerts raised by this movement that hold it as evidence (reporting rules excluded)',
    words: (v) =>
      `${Math.round(v)} AML rule${Math.round(v) === 1 ? '' : 's'} fired on this payment`,
  },
  {
    name: 'ruleMaxScore',
    meaning: 'highest score of those rule alerts (0: none)',
    words: (v) => `the strongest rule alert on it scores ${v.toFixed(2)}`,
  },
  {
    name: 'partiesAlerted7d',
    meaning:
      'how many of sender and beneficiary were parties of an AML rule alert in the 7 days before',
    words: (v) => `${Math.round(v)} of the two accounts had an AML rule alert in the 7 days before`,
  },
  {
    name: 'cycleClosedAccounts',
    meaning:
      'accounts in the cycle the cycle search (aml.cycle) found closing with this payment (0: none)',
    words: (v) =>
      v >= 2
        ? `this payment closes a cycle of ${Math.round(v)} accounts (money back at its origin)`
        : 'this payment closes no cycle the cycle search found',
  },
  {
    name: 'partiesInCycle7d',
    meaning:
      'how many of sender and beneficiary were accounts of a cycle the cycle search found in the 7 days before',
    words: (v) =>
      `${Math.round(v)} of the two accounts took part in a cycle of payments in the 7 days before`,
  },
  {
    name: 'returnPayment7d',
    meaning: 'whether the beneficiary paid the sender in the 7 days before (money going back)',
    words: (v) =>
      yesNo(
        v,
        'the beneficiary paid the sender in the 7 days before',
        'the beneficiary had not paid the sender recently',
      ),
  },
  {
    name: 'senderSharedAccounts',
    meaning:
      'other accounts sharing a device, IP address, phone, e-mail or address with the sender (both first used before the payment; hubs used by more than 50 accounts left out)',
    words: (v) =>
      `the sender shares a device, IP address, phone, e-mail or address with ${accounts(v)}`,
  },
  {
    name: 'receiverSharedAccounts',
    meaning:
      'other accounts sharing a device, IP address, phone, e-mail or address with the beneficiary (as senderSharedAccounts)',
    words: (v) =>
      `the beneficiary shares a device, IP address, phone, e-mail or address with ${accounts(v)}`,
  },
  {
    name: 'partiesShareIdentifier',
    meaning:
      'whether sender and beneficiary used the same device, IP address, phone, e-mail or address before the payment',
    words: (v) =>
      yesNo(
        v,
        'the sender and the beneficiary use the same device, IP address, phone, e-mail or address',
        'the sender and the beneficiary share no device, IP address, phone, e-mail or address',
      ),
  },
];

/**
 * Bumped whenever FEATURES or how one is computed changes.
 *
 * - `movement-features/2`: the features come from running totals per account instead of a pass
 *   over each account's window. Every value is the same as in version 1 except
 *   senderOutAmountCv, now sqrt(n·Σx² − (Σx)²) / Σx from exact whole-number sums instead of a
 *   two-pass floating-point sum: the same quantity, but it can differ in the last digits, so
 *   models trained on version 1 are refused rather than scored with slightly different inputs.
 * - `movement-features/3`: three features added at the end: cycleClosedAccounts and
 *   partiesInCycle7d, from the alerts of the cycle search (the aml.cycle rule), and
 *   returnPayment7d. A model of version 2 has fewer inputs, so it is refused.
 * - `movement-features/4`: three shared-identifier features added at the end:
 *   senderSharedAccounts, receiverSharedAccounts and partiesShareIdentifier, from the accounts'
 *   identifier uses (USES edges) that began before the movement. A model of version 3 is refused.
 */
export const FEATURE_SET_VERSION = 'movement-features/4';

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);

const CHANNEL_NAMES: readonly string[] = CHANNELS;
