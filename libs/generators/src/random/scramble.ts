/**
 * Bijective scrambling of sequence numbers into fixed-width digit strings.
 *
 * Account numbers and entity keys must be unique, deterministic and must not reveal the order
 * in which the generator created things (otherwise injected patterns, created last, would be
 * recognisable by their ids). `(index * multiplier + offset) mod 10^width` is a bijection on
 * [0, 10^width) when the multiplier is coprime with 10, i.e. odd and not a multiple of 5.
 * Multipliers near 10^width times the golden ratio send consecutive indices far apart, so
 * sorting by id mixes everything created at different times.
 */
export class Scrambler {
  private readonly modulus: bigint;
  private readonly multiplier: bigint;
  private readonly offset: bigint;

  constructor(
    readonly width: number,
    multiplier: number,
    offset: number,
  ) {
    if (multiplier % 2 === 0 || multiplier % 5 === 0) {
      throw new RangeError(
        `multiplier ${multiplier} must be coprime with 10 to give unique numbers`,
      );
    }
    this.modulus = 10n ** BigInt(width);
    this.multiplier = BigInt(multiplier) % this.modulus;
    this.offset = BigInt(offset) % this.modulus;
  }

  /** The scrambled number of `index` as a zero-padded string of `width` digits. */
  key(index: number): string {
    if (!Number.isSafeInteger(index) || index < 0 || BigInt(index) >= this.modulus) {
      throw new RangeError(`index ${index} is outside 0..${this.modulus - 1n}`);
    }
    return ((BigInt(index) * this.multiplier + this.offset) % this.modulus)
      .toString()
      .padStart(this.width, '0');
  }
}
