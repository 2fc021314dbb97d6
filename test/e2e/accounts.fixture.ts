import type { AccountVertex } from '@app/vocabulary';

/** A personal USD account of `bankId`, active, opened 2020-01-01 in the US: e2e specs' usual account. */
export function personalAccount(uid: string, bankId: string): AccountVertex {
  return {
    label: 'Account',
    uid,
    props: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: Date.UTC(2020, 0, 1),
      status: 'active',
      bankId,
      country: 'US',
    },
  };
}
