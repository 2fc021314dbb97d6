import type { AccountStatus, AmlTypology, Channel } from '@app/vocabulary';

/**
 * AMLSim alert types (IBM/AMLSim `AMLTypology.java`: fan_out, fan_in, cycle, bipartite, stack,
 * random, scatter_gather, gather_scatter) -> vocabulary typology ids. Looked up after
 * lower-casing and turning spaces and hyphens into underscores.
 */
export const AMLSIM_TYPOLOGIES: Readonly<Record<string, AmlTypology>> = {
  fan_out: 'fan-out',
  fan_in: 'fan-in',
  cycle: 'cycle',
  bipartite: 'bipartite',
  stack: 'stack',
  random: 'random',
  scatter_gather: 'scatter-gather',
  gather_scatter: 'gather-scatter',
};

/**
 * AMLSim transaction types -> vocabulary channels. AMLSim's types are labels of simulated
 * account-to-account transfers, not payment rails: CREDIT, DEPOSIT, TRANSFER, PAYMENT and
 * DEBIT become 'ach' (a credit transfer), and the original type is kept in the movement's
 * `reference`. Only CASH-IN / CASH-OUT are cash.
 */
export const AMLSIM_CHANNELS: Readonly<Record<string, Channel>> = {
  WIRE: 'wire',
  CREDIT: 'ach',
  DEPOSIT: 'ach',
  TRANSFER: 'ach',
  PAYMENT: 'ach',
  DEBIT: 'ach',
  CHECK: 'cheque',
  CHEQUE: 'cheque',
  'CASH-IN': 'cash',
  'CASH-OUT': 'cash',
  CASH: 'cash',
};

/** AMLSim `acct_stat` codes -> vocabulary account status (blank means active). */
export const AMLSIM_ACCOUNT_STATUSES: Readonly<Record<string, AccountStatus>> = {
  A: 'active',
  ACTIVE: 'active',
  D: 'dormant',
  DORMANT: 'dormant',
  C: 'closed',
  CLOSED: 'closed',
};

export function amlsimTypology(alertType: string): AmlTypology | undefined {
  return AMLSIM_TYPOLOGIES[
    alertType
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_')
  ];
}

export function amlsimChannel(txType: string): Channel | undefined {
  return AMLSIM_CHANNELS[
    txType
      .trim()
      .toUpperCase()
      .replace(/[\s_]+/g, '-')
  ];
}

export function amlsimAccountStatus(code: string): AccountStatus | undefined {
  return code.trim() === '' ? 'active' : AMLSIM_ACCOUNT_STATUSES[code.trim().toUpperCase()];
}
