import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { EnvVarMetadata, envVarsOf } from './env-var.decorator';
import { InvalidSettingsError, SettingsProblem } from './settings.error';

export type Env = Readonly<Record<string, string | undefined>>;

function convert(meta: EnvVarMetadata, raw: string): unknown {
  const value = raw.trim();
  switch (meta.kind) {
    case 'string':
    case 'enum':
      return value;
    case 'integer':
      return /^-?\d+$/.test(value) ? Number(value) : value;
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    case 'boolean':
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      return value;
    case 'list':
      return value === ''
        ? []
        : value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== '');
  }
}

const TYPE_CONSTRAINTS = ['isInt', 'isNumber', 'isBoolean'];

/** A value of the wrong type gets one message (its type), not every range rule as well. */
function rulesOf(error: ValidationError): string[] {
  const constraints = error.constraints ?? {};
  const typeRule = TYPE_CONSTRAINTS.find((name) => name in constraints);
  return typeRule !== undefined ? [constraints[typeRule] ?? ''] : Object.values(constraints);
}

/** class-validator starts its messages with the property name; the variable name replaces it. */
function withoutPropertyName(rule: string, property: string): string {
  const each = 'each value in ';
  const prefix = rule.startsWith(each) ? each : '';
  const rest = rule.slice(prefix.length);
  return rest.startsWith(`${property} `) ? `${prefix}${rest.slice(property.length + 1)}` : rule;
}

function isProduction(env: Env): boolean {
  return (env.NODE_ENV ?? 'development') === 'production';
}

/**
 * Builds one settings class from the environment: applies defaults, converts types,
 * validates with class-validator and refuses known development secrets in production.
 * Throws {@link InvalidSettingsError} naming every bad variable, its value and the rule.
 */
export function loadSettings<T extends object>(ctor: new () => T, env: Env): T {
  const metas = envVarsOf(ctor);
  const plain: Record<string, unknown> = {};
  for (const meta of metas) {
    const raw = env[meta.name] ?? meta.default;
    if (raw !== undefined && !(meta.secret === true && raw === '')) {
      plain[meta.property] = convert(meta, raw);
    }
  }
  const instance = plainToInstance(ctor, plain);
  const problems: SettingsProblem[] = [];
  for (const error of validateSync(instance, { forbidUnknownValues: true })) {
    const meta = metas.find((m) => m.property === error.property);
    const variable = meta?.name ?? error.property;
    const rawValue = env[variable] ?? meta?.default;
    for (const rule of rulesOf(error)) {
      problems.push({
        variable,
        value: meta?.secret === true ? '***' : rawValue,
        rule: withoutPropertyName(rule, error.property),
      });
    }
  }
  if (isProduction(env)) {
    for (const meta of metas) {
      const raw = env[meta.name];
      if (meta.requiredInProduction === true && (raw === undefined || raw.trim() === '')) {
        problems.push({
          variable: meta.name,
          value: undefined,
          rule: 'is required when NODE_ENV=production',
        });
      }
      const required = meta.productionValue;
      if (
        required !== undefined &&
        (instance as Record<string, unknown>)[meta.property] !== required.value
      ) {
        problems.push({
          variable: meta.name,
          value: meta.secret === true ? '***' : (raw ?? meta.default),
          rule: `must be ${String(required.value)} when NODE_ENV=production: ${required.reason}`,
        });
      }
      if (
        raw !== undefined &&
        meta.refusedInProduction?.some((bad) =>
          raw.split(',').some((part) => part.trim().includes(bad)),
        )
      ) {
        problems.push({
          variable: meta.name,
          value: meta.secret === true ? '***' : raw,
          rule: 'a known development value is not allowed when NODE_ENV=production; set a real secret',
        });
      }
    }
  }
  if (problems.length > 0) throw new InvalidSettingsError(problems);
  return instance;
}
