import { IsBoolean, IsIn, IsInt, IsISO8601, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

export const SEED_PROFILES = ['tiny', 'small', 'medium', 'large'] as const;
export type SeedProfileName = (typeof SEED_PROFILES)[number];

/** Synthetic bank generation (namespace `seeder`). */
export class SeederSettings {
  @EnvVar({
    name: 'SEEDER_PROFILE',
    kind: 'enum',
    values: SEED_PROFILES,
    default: 'small',
    description: 'Size of the synthetic bank: tiny, small, medium or large.',
  })
  @IsIn(SEED_PROFILES, { message: `must be one of ${SEED_PROFILES.join(', ')}` })
  profile!: SeedProfileName;

  @EnvVar({
    name: 'SEEDER_SEED',
    kind: 'integer',
    default: '42',
    description: 'Random seed; the same seed, profile and version give identical output.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(2147483647, { message: 'must be at most 2147483647' })
  seed!: number;

  @EnvVar({
    name: 'SEEDER_REFERENCE_TIME',
    kind: 'string',
    default: '2025-01-01T00:00:00Z',
    description: 'End of the simulated period (ISO 8601, UTC); no wall clock is used.',
  })
  @IsISO8601(
    { strict: true },
    { message: 'must be an ISO 8601 timestamp such as 2025-01-01T00:00:00Z' },
  )
  referenceTime!: string;

  @EnvVar({
    name: 'SEEDER_DAYS',
    kind: 'integer',
    default: '90',
    description: 'Length of the simulated period in days.',
  })
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1, { message: 'must be at least 1 day' })
  @Max(3650, { message: 'must be at most 3650 days' })
  days!: number;

  @EnvVar({
    name: 'SEEDER_OUTPUT_DIR',
    kind: 'string',
    default: './out/seed',
    description: 'Folder the file sinks write to.',
  })
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  outputDir!: string;

  @EnvVar({
    name: 'SEEDER_OVERWRITE',
    kind: 'boolean',
    default: 'false',
    description: 'Allow replacing an existing output folder.',
  })
  @IsBoolean({ message: 'must be true or false' })
  overwrite!: boolean;
}
