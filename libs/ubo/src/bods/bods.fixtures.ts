/**
 * Small BODS 0.4 packages written for the tests of this library (not copied from anywhere):
 * each shows one feature of the standard the importer must handle.
 */

type Json = Record<string, unknown>;

let counter = 0;

/** A statement with the required envelope; statement ids are 32+ characters as BODS asks. */
export function statement(
  recordType: 'entity' | 'person' | 'relationship',
  recordId: string,
  recordDetails: Json,
  extra: {
    date?: string;
    status?: 'new' | 'updated' | 'closed';
    subject?: string;
    statementId?: string;
  } = {},
): Json {
  counter += 1;
  return {
    statementId:
      extra.statementId ??
      `fixture-statement-${String(counter).padStart(6, '0')}-${recordId}`.padEnd(32, '0'),
    declarationSubject: extra.subject ?? 'target',
    statementDate: extra.date ?? '2024-01-15',
    publicationDetails: {
      publicationDate: '2024-01-31',
      bodsVersion: '0.4',
      publisher: { name: 'Fixture registry' },
    },
    recordId,
    recordStatus: extra.status ?? 'new',
    recordType,
    recordDetails,
  };
}

export function entity(
  recordId: string,
  name: string,
  extra: Json = {},
  options: Parameters<typeof statement>[3] = {},
): Json {
  return statement(
    'entity',
    recordId,
    {
      isComponent: false,
      entityType: { type: 'registeredEntity' },
      name,
      jurisdiction: { name: 'United Kingdom', code: 'GB' },
      ...extra,
    },
    options,
  );
}

export function person(
  recordId: string,
  fullName: string,
  extra: Json = {},
  options: Parameters<typeof statement>[3] = {},
): Json {
  return statement(
    'person',
    recordId,
    {
      isComponent: false,
      personType: 'knownPerson',
      names: [{ type: 'legal', fullName }],
      ...extra,
    },
    options,
  );
}

export function relationship(
  recordId: string,
  interestedParty: string | Json,
  subject: string,
  interests: Json[],
  extra: Json = {},
  options: Parameters<typeof statement>[3] = {},
): Json {
  return statement(
    'relationship',
    recordId,
    { isComponent: false, subject, interestedParty, interests, ...extra },
    options,
  );
}

export function shareholding(share: Json | undefined, extra: Json = {}): Json {
  return {
    type: 'shareholding',
    directOrIndirect: 'direct',
    beneficialOwnershipOrControl: false,
    ...(share !== undefined ? { share } : {}),
    ...extra,
  };
}

/** Target Ltd held 60% by Holdco (which Ada owns 100%) and 40% by Ben directly; Ben sits on the board. */
export function simplePackage(): Json[] {
  return [
    entity('target', 'Target Ltd'),
    entity('holdco', 'Holdco Ltd', { isComponent: true }),
    person('ada', 'Ada Lovelace', {
      nationalities: [{ name: 'United Kingdom', code: 'GB' }],
      birthDate: '1815-12',
    }),
    person('ben', 'Ben Franklin', { politicalExposure: { status: 'isPep' } }),
    relationship('rel-holdco', 'holdco', 'target', [shareholding({ exact: 60 })]),
    relationship('rel-ada', 'ada', 'holdco', [shareholding({ exact: 100 })]),
    relationship('rel-ben', 'ben', 'target', [
      shareholding({ exact: 40 }),
      { type: 'boardMember', directOrIndirect: 'direct' },
    ]),
  ];
}

/**
 * Records replaced over time: Cleo holds 100% (2019), then 40% when Dune Trust takes 60%
 * (2021), then Cleo's relationship is closed (2023) and Dune holds 80%.
 */
export function replacementPackage(): Json[] {
  return [
    person('cleo', 'Cleo Example', {}, { date: '2019-01-20' }),
    entity('target', 'Target Ltd', {}, { date: '2019-01-20' }),
    relationship(
      'rel-cleo',
      'cleo',
      'target',
      [shareholding({ exact: 100 })],
      {},
      { date: '2019-01-20' },
    ),
    entity(
      'dune',
      'Dune Trust',
      { entityType: { type: 'arrangement', subtype: 'trust' } },
      { date: '2021-09-25' },
    ),
    relationship(
      'rel-dune',
      'dune',
      'target',
      [shareholding({ exact: 60 })],
      {},
      { date: '2021-09-25' },
    ),
    relationship(
      'rel-cleo',
      'cleo',
      'target',
      [shareholding({ exact: 40 })],
      {},
      { date: '2021-09-25', status: 'updated' },
    ),
    relationship(
      'rel-dune',
      'dune',
      'target',
      [shareholding({ exact: 80 })],
      {},
      { date: '2023-03-03', status: 'updated' },
    ),
    relationship(
      'rel-cleo',
      'cleo',
      'target',
      [shareholding({ exact: 40 })],
      {},
      { date: '2023-03-03', status: 'closed' },
    ),
    person('cleo', 'Cleo Example', {}, { date: '2023-03-03', status: 'closed' }),
  ];
}

/**
 * Declared indirect interests: Dora's interest in Mid is unknown, Mid holds 60% of Target,
 * and the publisher declares Dora's indirect share of Target as 30%.
 */
export function declaredIndirectPackage(): Json[] {
  return [
    entity('target', 'Target Ltd'),
    entity('mid', 'Mid Ltd', { isComponent: true }),
    person('dora', 'Dora Example'),
    relationship('rel-mid', 'mid', 'target', [shareholding({ exact: 60 })], { isComponent: true }),
    relationship(
      'rel-dora-mid',
      'dora',
      'mid',
      [{ directOrIndirect: 'unknown', beneficialOwnershipOrControl: false }],
      { isComponent: true },
    ),
    relationship(
      'rel-dora',
      'dora',
      'target',
      [
        shareholding(
          { exact: 30 },
          { directOrIndirect: 'indirect', beneficialOwnershipOrControl: true },
        ),
      ],
      {
        componentRecords: ['mid', 'rel-mid', 'rel-dora-mid'],
      },
    ),
  ];
}

/**
 * A state-owned structure (in the spirit of the BODS state-owned-enterprise example): Grid Oy
 * is held 76.5% by Network Oy (held 100% by the Ministry) and 23.5% by the Ministry; the State
 * controls the Ministry and declares an indirect 100% of Grid Oy.
 */
export function stateOwnedPackage(): Json[] {
  const finland = { name: 'Finland', code: 'FI' };
  return [
    entity('grid', 'Grid Oy', { jurisdiction: finland }, { subject: 'grid' }),
    entity(
      'network',
      'Network Oy',
      { jurisdiction: finland, isComponent: true },
      { subject: 'grid' },
    ),
    entity(
      'ministry',
      'Ministry of Finance',
      { jurisdiction: finland, entityType: { type: 'stateBody', subtype: 'governmentDepartment' } },
      { subject: 'grid' },
    ),
    entity(
      'state',
      'Republic',
      { jurisdiction: finland, entityType: { type: 'state' } },
      { subject: 'grid' },
    ),
    relationship(
      'r1',
      'network',
      'grid',
      [shareholding({ exact: 76.5 })],
      { isComponent: true },
      { subject: 'grid' },
    ),
    relationship(
      'r2',
      'ministry',
      'network',
      [shareholding({ exact: 100 })],
      { isComponent: true },
      { subject: 'grid' },
    ),
    relationship(
      'r3',
      'ministry',
      'grid',
      [shareholding({ exact: 23.5 })],
      { isComponent: true },
      { subject: 'grid' },
    ),
    relationship(
      'r4',
      'state',
      'ministry',
      [{ type: 'otherInfluenceOrControl', directOrIndirect: 'direct' }],
      { isComponent: true },
      { subject: 'grid' },
    ),
    relationship(
      'r5',
      'state',
      'grid',
      [shareholding({ exact: 100 }, { directOrIndirect: 'indirect' })],
      { componentRecords: ['network', 'ministry', 'r1', 'r2', 'r3', 'r4'] },
      { subject: 'grid' },
    ),
  ];
}
