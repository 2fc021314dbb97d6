import { HOUR, mv, runDetector, T0, withdrawal } from '../testing/fixtures';
import { isRoundAmount, roundAmountsDetector } from './round-amounts.detector';

function transfers(round: number, other: number) {
  return [
    ...Array.from({ length: round }, (_, i) =>
      mv('acc:R', `acc:P${i}`, (i + 1) * 1_000_00, T0 + i * HOUR),
    ),
    ...Array.from({ length: other }, (_, i) =>
      mv('acc:R', `acc:Q${i}`, 812_34 + i, T0 + (round + i) * HOUR),
    ),
  ].sort((a, b) => a.timestamp - b.timestamp);
}

describe('roundAmountsDetector', () => {
  it('fires when 5 of 10 transactions in 7 days end in .00', () => {
    const { alerts } = runDetector(roundAmountsDetector, transfers(5, 5));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      '5 of 10 transactions (50%) of account acc:R within 7 days',
    );
  });

  it('does not fire with 9 transactions (near miss) nor with 4 round of 10', () => {
    expect(runDetector(roundAmountsDetector, transfers(5, 4)).alerts).toHaveLength(0);
    expect(runDetector(roundAmountsDetector, transfers(4, 6)).alerts).toHaveLength(0);
  });

  it('ignores cash withdrawals (banknotes are round) and small everyday amounts (decoy)', () => {
    const atm = Array.from({ length: 12 }, (_, i) => withdrawal('acc:R', 200_00, T0 + i * HOUR));
    const gifts = Array.from({ length: 12 }, (_, i) =>
      mv('acc:R', `acc:F${i}`, 20_00, T0 + i * HOUR, { channel: 'internal' }),
    );
    expect(runDetector(roundAmountsDetector, [...atm, ...gifts]).alerts).toHaveLength(0);
  });

  it('knows round amounts per currency exponent', () => {
    expect(isRoundAmount(1_000_00, 'USD')).toBe(true);
    expect(isRoundAmount(1_000_01, 'USD')).toBe(false);
    expect(isRoundAmount(5_000, 'JPY')).toBe(true);
    expect(isRoundAmount(5_050, 'JPY')).toBe(false);
  });
});
