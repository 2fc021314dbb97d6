import { HOUR, mv, T0 } from '../testing/fixtures';
import { LayerContacts, shareWithin } from './layer-contacts';

describe('shareWithin', () => {
  it('compares shares exactly at the bounds', () => {
    expect(shareWithin(85_00, 100_00, 0.85, 1.1)).toBe(true);
    expect(shareWithin(84_99, 100_00, 0.85, 1.1)).toBe(false);
    expect(shareWithin(110_00, 100_00, 0.85, 1.1)).toBe(true);
    expect(shareWithin(110_01, 100_00, 0.85, 1.1)).toBe(false);
  });

  it('stays exact for amounts far beyond what floating point holds in basis points', () => {
    // 90% of 9,000,000,000,000.01 in minor units; the product exceeds 2^53.
    expect(shareWithin(810_000_000_000_000, 900_000_000_000_001, 0.9, 1)).toBe(false);
    expect(shareWithin(810_000_000_000_001, 900_000_000_000_001, 0.9, 1)).toBe(true);
  });

  it('accepts an open upper bound and refuses an empty whole', () => {
    expect(shareWithin(5_000_00, 100_00, 0.7, Number.POSITIVE_INFINITY)).toBe(true);
    expect(shareWithin(1, 0, 0, 1)).toBe(false);
  });
});

describe('LayerContacts', () => {
  it('remembers who paid whom inside the window only', () => {
    const contacts = new LayerContacts(24 * HOUR);
    const first = mv('acc:A', 'acc:B', 100_00, T0);
    contacts.add(first);
    expect(contacts.hasPaid('acc:A', 'acc:B', T0 + HOUR)).toBe(true);
    expect(contacts.hasPaid('acc:B', 'acc:A', T0 + HOUR)).toBe(false);
    expect(contacts.hasPaid('acc:A', 'acc:B', T0 + 25 * HOUR)).toBe(false);
    expect(contacts.hasPaid('acc:A', 'acc:B', T0 + HOUR, (id) => id === first.movementId)).toBe(
      false,
    );
  });

  it('counts distinct counterparties each way, up to just past the cap', () => {
    const contacts = new LayerContacts(24 * HOUR);
    for (let i = 0; i < 8; i += 1) contacts.add(mv(`acc:P${i % 6}`, 'acc:hub', 100_00, T0 + i));
    contacts.add(mv('acc:hub', 'acc:X', 100_00, T0 + 10));
    expect(contacts.payersOf('acc:hub', T0 + HOUR, 10)).toBe(6);
    expect(contacts.payersOf('acc:hub', T0 + HOUR, 3)).toBe(4);
    expect(contacts.payeesOf('acc:hub', T0 + HOUR, 10)).toBe(1);
    expect(contacts.payersOf('acc:nobody', T0 + HOUR, 10)).toBe(0);
  });
});
