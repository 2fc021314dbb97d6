/** One problem with one environment variable. */
export interface SettingsProblem {
  variable: string;
  value: string | undefined;
  rule: string;
}

/** Thrown at boot when the environment does not satisfy the settings classes. */
export class InvalidSettingsError extends Error {
  constructor(readonly problems: readonly SettingsProblem[]) {
    super(
      [
        `The configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
        ...problems.map(
          (p) =>
            `  - ${p.variable}=${p.value === undefined ? '(not set)' : JSON.stringify(p.value)}: ${p.rule}`,
        ),
        'Fix the variables above (see .env.example and the README configuration reference) and start again.',
      ].join('\n'),
    );
    this.name = 'InvalidSettingsError';
  }
}
