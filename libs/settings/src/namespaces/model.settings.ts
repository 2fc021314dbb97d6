import { IsOptional, IsString } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

/** The learned risk model (namespace `model`): which trained model file scores movements. */
export class ModelSettings {
  @EnvVar({
    name: 'RISK_MODEL_FILE',
    kind: 'string',
    description:
      'Model file written by `seeder train`; every movement then gets a risk score and alerts carry it with their top reasons. Unset = rules only. A missing or invalid file stops the start.',
  })
  @IsOptional()
  @IsString()
  riskModelFile?: string;
}
