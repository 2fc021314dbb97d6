import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import accountsSchema from '../../../../../schemas/bank-exchange/v1/accounts.schema.json';
import commonSchema from '../../../../../schemas/bank-exchange/v1/common.schema.json';
import companiesSchema from '../../../../../schemas/bank-exchange/v1/companies.schema.json';
import eventsSchema from '../../../../../schemas/bank-exchange/v1/events.schema.json';
import holdersSchema from '../../../../../schemas/bank-exchange/v1/holders.schema.json';
import identifierUsesSchema from '../../../../../schemas/bank-exchange/v1/identifier-uses.schema.json';
import identifiersSchema from '../../../../../schemas/bank-exchange/v1/identifiers.schema.json';
import movementsSchema from '../../../../../schemas/bank-exchange/v1/movements.schema.json';
import ownershipSchema from '../../../../../schemas/bank-exchange/v1/ownership.schema.json';
import personsSchema from '../../../../../schemas/bank-exchange/v1/persons.schema.json';
import type { FieldProblem } from '@app/vocabulary';
import { quoteInput } from '../text-input';

/** Version of the exchange format this code reads (the folder name under schemas/bank-exchange). */
export const BANK_EXCHANGE_VERSION = 'v1';

/**
 * The record types of the exchange format, in the order they are documented. A type is both
 * the file stem (`persons.csv`, `persons.jsonl`) and the value of the `type` field of a line in
 * a mixed JSON-lines file.
 */
export const BANK_RECORD_TYPES = [
  'persons',
  'companies',
  'accounts',
  'holders',
  'ownership',
  'identifiers',
  'identifier-uses',
  'movements',
  'events',
] as const;
export type BankRecordType = (typeof BANK_RECORD_TYPES)[number];

export function isBankRecordType(value: unknown): value is BankRecordType {
  return typeof value === 'string' && (BANK_RECORD_TYPES as readonly string[]).includes(value);
}

/** The JSON Schema of each record type (draft 2020-12), as committed under schemas/. */
const SCHEMAS: Readonly<Record<BankRecordType, object>> = {
  persons: personsSchema,
  companies: companiesSchema,
  accounts: accountsSchema,
  holders: holdersSchema,
  ownership: ownershipSchema,
  identifiers: identifiersSchema,
  'identifier-uses': identifierUsesSchema,
  movements: movementsSchema,
  events: eventsSchema,
};

/** Repository path of a record type's schema, for messages and docs. */
export function bankSchemaPath(type: BankRecordType): string {
  return `schemas/bank-exchange/${BANK_EXCHANGE_VERSION}/${type}.schema.json`;
}

interface SchemaShape {
  required: readonly string[];
  properties: Readonly<Record<string, unknown>>;
}

function shapeOf(schema: object): SchemaShape {
  const { required, properties } = schema as Partial<SchemaShape>;
  return { required: required ?? [], properties: properties ?? {} };
}

/** The fields (CSV columns) of a record type: required first, in the schema's order. */
export function bankFields(type: BankRecordType): { required: string[]; optional: string[] } {
  const shape = shapeOf(SCHEMAS[type]);
  const names = Object.keys(shape.properties);
  return {
    required: names.filter((name) => shape.required.includes(name)),
    optional: names.filter((name) => !shape.required.includes(name)),
  };
}

/**
 * Checks records against the committed JSON Schemas with Ajv (draft 2020-12, formats from
 * ajv-formats). Each schema keyword carries the plain-language rule in `x-rule`, which is what
 * a problem says.
 */
export class BankSchemaValidator {
  private readonly validators: ReadonlyMap<BankRecordType, ValidateFunction>;

  constructor() {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true });
    addFormats(ajv, ['date', 'date-time']);
    ajv.addVocabulary(['x-rule']);
    ajv.addSchema(commonSchema);
    const validators = new Map<BankRecordType, ValidateFunction>();
    for (const type of BANK_RECORD_TYPES) validators.set(type, ajv.compile(SCHEMAS[type]));
    this.validators = validators;
  }

  /** Problems of one record (an object of field values); one problem per field at most. */
  validate(type: BankRecordType, record: Readonly<Record<string, unknown>>): FieldProblem[] {
    const validate = this.validators.get(type);
    if (!validate)
      return [{ field: 'type', rule: `must be one of ${BANK_RECORD_TYPES.join(', ')}` }];
    if (validate(record)) return [];
    const byField = new Map<string, FieldProblem>();
    for (const error of validate.errors ?? []) {
      const problem = describe(type, error);
      if (!byField.has(problem.field)) byField.set(problem.field, problem);
    }
    return [...byField.values()];
  }
}

function describe(type: BankRecordType, error: ErrorObject): FieldProblem {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    return { field: String(params.missingProperty), rule: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    const { required, optional } = bankFields(type);
    return {
      field: quoteInput(String(params.additionalProperty)),
      rule: `is not a field of ${type} (fields: ${[...required, ...optional].join(', ')})`,
    };
  }
  const field = error.instancePath.replace(/^\//, '') || 'record';
  if (field === 'record') return { field, rule: 'must be an object of field values' };
  const parent: unknown = error.parentSchema;
  const rule: unknown =
    typeof parent === 'object' && parent !== null && 'x-rule' in parent
      ? parent['x-rule']
      : undefined;
  return { field, rule: typeof rule === 'string' ? rule : (error.message ?? 'is invalid') };
}
