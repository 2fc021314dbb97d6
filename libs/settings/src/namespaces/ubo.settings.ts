import { IsIn, IsInt, Max, Min } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

export const UBO_REGIMES = ['eu', 'uk', 'us', 'custom'] as const;
export type UboRegime = (typeof UBO_REGIMES)[number];
export const UBO_CONVENTIONS = ['integrated', 'simple-paths'] as const;
export type UboConvention = (typeof UBO_CONVENTIONS)[number];

/** Beneficial ownership defaults; every request may override them (namespace `ubo`). */
export class UboSettings {
  @EnvVar({
    name: 'UBO_REGIME',
    kind: 'enum',
    values: UBO_REGIMES,
    default: 'eu',
    description:
      'eu (AMLR, 25% or more, multiply chains), uk (PSC, more than 25%, majority chains), us (FinCEN CDD), custom.',
  })
  @IsIn(UBO_REGIMES, { message: `must be one of ${UBO_REGIMES.join(', ')}` })
  regime!: UboRegime;

  @EnvVar({
    name: 'UBO_THRESHOLD_BP',
    kind: 'integer',
    default: '2500',
    description: 'Threshold of the custom regime in basis points (2500 = 25%).',
  })
  @IsInt({ message: 'must be a whole number of basis points' })
  @Min(1, { message: 'must be between 1 and 10000 basis points' })
  @Max(10000, { message: 'must be between 1 and 10000 basis points' })
  thresholdBp!: number;

  @EnvVar({
    name: 'UBO_MAX_DEPTH',
    kind: 'integer',
    default: '25',
    description: 'Deepest ownership layer read above a company.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be between 1 and 100' })
  @Max(100, { message: 'must be between 1 and 100' })
  maxDepth!: number;

  @EnvVar({
    name: 'UBO_CONVENTION',
    kind: 'enum',
    values: UBO_CONVENTIONS,
    default: 'integrated',
    description:
      'Cycles: integrated (geometric series over all paths) or simple-paths (no entity twice).',
  })
  @IsIn(UBO_CONVENTIONS, { message: `must be one of ${UBO_CONVENTIONS.join(', ')}` })
  convention!: UboConvention;
}
