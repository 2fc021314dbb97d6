import 'reflect-metadata';

/** How a raw environment string is turned into a typed value before validation. */
export type EnvKind = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'enum';

export interface EnvVarOptions {
  /** Environment variable name, e.g. `JANUSGRAPH_PORT`. */
  name: string;
  kind: EnvKind;
  /** One sentence for `.env.example` and the README reference table. */
  description: string;
  /** Default as the user would write it in `.env`; absent for required values and secrets. */
  default?: string;
  /** Secrets have no defaults and are never printed. */
  secret?: boolean;
  /** Values known from development and docs, refused when NODE_ENV=production. */
  refusedInProduction?: readonly string[];
  /** Must be set (non-empty) when NODE_ENV=production. */
  requiredInProduction?: boolean;
  /**
   * The only value allowed when NODE_ENV=production (compared after conversion), and why: the
   * start is refused with this reason otherwise. There is no override.
   */
  productionValue?: { value: string | number | boolean; reason: string };
  /** Allowed values for `enum`, listed in the docs. */
  values?: readonly string[];
}

export interface EnvVarMetadata extends EnvVarOptions {
  property: string;
}

const ENV_VARS = Symbol('settings:env-vars');

/** Binds a settings property to one environment variable. */
export function EnvVar(options: EnvVarOptions): PropertyDecorator {
  return (target, property) => {
    const ctor = target.constructor;
    const existing = (Reflect.getOwnMetadata(ENV_VARS, ctor) as EnvVarMetadata[] | undefined) ?? [];
    Reflect.defineMetadata(
      ENV_VARS,
      [...existing, { ...options, property: String(property) }],
      ctor,
    );
  };
}

export function envVarsOf(ctor: abstract new () => object): EnvVarMetadata[] {
  return (Reflect.getOwnMetadata(ENV_VARS, ctor) as EnvVarMetadata[] | undefined) ?? [];
}
