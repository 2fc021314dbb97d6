import { Global, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { detectorsSettings, uboSettings } from '@app/settings';
import { StructureBuilder } from '@app/ubo';
import { Clock, FixedClock } from '@app/vocabulary';
import { ROLES_KEY } from '../auth/roles.decorator';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { createValidationPipe } from '../common/validation';
import { UboHttpModule } from './ubo-http.module';
import { UboController } from './ubo.controller';
import { create } from 'xmlbuilder2';

/** The DOM calls the GraphML test makes on the XML builder's parsed document. */
interface XmlElement {
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<XmlElement>;
  textContent: string | null;
}

type Json = Record<string, unknown>;

/** What ApiModule provides globally (store, settings, clock), as test doubles. */
function globalsWith(store: GraphStore): new () => unknown {
  @Global()
  @Module({
    providers: [
      { provide: GraphStore, useValue: store },
      {
        provide: uboSettings.KEY,
        useValue: { regime: 'eu', thresholdBp: 2500, maxDepth: 25, convention: 'integrated' },
      },
      { provide: detectorsSettings.KEY, useValue: { highRiskJurisdictions: ['IR'] } },
      { provide: Clock, useValue: new FixedClock(Date.UTC(2025, 5, 1)) },
    ],
    exports: [GraphStore, uboSettings.KEY, detectorsSettings.KEY, Clock],
  })
  class TestGlobals {}
  return TestGlobals;
}

function bodsStatement(recordType: string, recordId: string, recordDetails: Json): Json {
  return {
    statementId: `controller-test-statement-${recordId}`.padEnd(32, '0'),
    declarationSubject: 'target',
    statementDate: '2024-01-15',
    recordId,
    recordStatus: 'new',
    recordType,
    recordDetails,
  };
}

const STATEMENTS: Json[] = [
  bodsStatement('entity', 'target', {
    isComponent: false,
    entityType: { type: 'registeredEntity' },
    name: 'Target Ltd',
    jurisdiction: { name: 'UK', code: 'GB' },
  }),
  bodsStatement('entity', 'holdco', {
    isComponent: true,
    entityType: { type: 'registeredEntity' },
    name: 'Holdco',
    jurisdiction: { name: 'Iran', code: 'IR' },
  }),
  bodsStatement('person', 'ada', {
    isComponent: false,
    personType: 'knownPerson',
    names: [{ fullName: 'Ada' }],
  }),
  bodsStatement('relationship', 'r1', {
    isComponent: false,
    subject: 'target',
    interestedParty: 'holdco',
    interests: [{ type: 'shareholding', directOrIndirect: 'direct', share: { exact: 50 } }],
  }),
  bodsStatement('relationship', 'r2', {
    isComponent: false,
    subject: 'holdco',
    interestedParty: 'ada',
    interests: [{ type: 'shareholding', directOrIndirect: 'direct', share: { exact: 50 } }],
  }),
];

describe('UboController (HTTP, memory store)', () => {
  let app: INestApplication;
  let http: Parameters<typeof request>[0];
  let store: MemoryGraphStore;
  let ann: string;
  let target: string;

  beforeAll(async () => {
    store = new MemoryGraphStore();
    const b = new StructureBuilder('api');
    ann = b.person('ann');
    const bob = b.person('bob');
    const holdco = b.company('holdco');
    target = b.company('target');
    b.owns(ann, holdco, 5000);
    b.owns(holdco, target, 5000);
    b.owns(bob, target, 2500);
    const graph = b.build();
    await store.upsertVertices(graph.vertices);
    await store.upsertEdges(graph.edges);
    const moduleRef = await Test.createTestingModule({
      imports: [globalsWith(store), UboHttpModule],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    http = app.getHttpServer() as Parameters<typeof request>[0];
  });

  afterAll(async () => {
    await app.close();
  });

  it('requires the analyst role', () => {
    expect(Reflect.getMetadata(ROLES_KEY, UboController)).toBe('analyst');
  });

  it('GET /api/v1/ubo/:companyId answers owners with exact shares, chains and the options used', async () => {
    const response = await request(http).get(`/api/v1/ubo/${target}`).expect(200);
    const body = response.body as { owners: Json[]; beneficialOwners: Json[]; options: Json };
    expect(body.options).toMatchObject({
      regime: 'eu',
      method: 'multiplication',
      thresholdBp: 2500,
      convention: 'integrated',
      asOf: '2025-06-01',
    });
    expect(body.owners.map((o) => [o.uid, (o.effectiveShare as Json).min, o.qualifies])).toEqual([
      [ann, '1/4', 'yes'],
      ['person:api:bob', '1/4', 'yes'],
    ]);
    expect(body.beneficialOwners).toHaveLength(2);
  });

  it('applies per-request options: under UK rules 25% is not "more than 25%"', async () => {
    const response = await request(http)
      .get(`/api/v1/ubo/${target}?regime=uk&maxDepth=5`)
      .expect(200);
    const body = response.body as { beneficialOwners: Json[]; options: Json };
    expect(body.options).toMatchObject({
      regime: 'uk',
      method: 'dominancy',
      comparator: 'more-than',
      maxDepth: 5,
    });
    expect(body.beneficialOwners).toEqual([]);
  });

  it('answers 404 in the one error shape for an unknown company', async () => {
    const response = await request(http).get('/api/v1/ubo/company:api:nobody').expect(404);
    expect(response.body).toMatchObject({
      error: 'not_found',
      message: expect.stringContaining('company:api:nobody') as unknown,
    });
  });

  it('answers 400 naming each bad query parameter and the rule', async () => {
    const response = await request(http)
      .get(`/api/v1/ubo/${target}?regime=mars&thresholdBp=abc&colour=red`)
      .expect(400);
    const problems = (
      response.body as { details: { problems: { field: string }[] } }
    ).details.problems.map((p) => p.field);
    expect(problems).toEqual(expect.arrayContaining(['regime', 'thresholdBp', 'colour']));
  });

  it('answers 400 when an option does not fit the regime (threshold only with custom)', async () => {
    const response = await request(http)
      .get(`/api/v1/ubo/${target}?regime=eu&thresholdBp=1500`)
      .expect(400);
    expect(response.body).toMatchObject({
      error: 'invalid_input',
      details: {
        problems: [
          { field: 'thresholdBp', rule: expect.stringContaining('regime custom') as unknown },
        ],
      },
    });
    await request(http).get(`/api/v1/ubo/${target}?regime=custom&thresholdBp=1500`).expect(200);
  });

  it('GET /network gives nodes with layers and roles and edges with shares', async () => {
    const response = await request(http).get(`/api/v1/ubo/${target}/network`).expect(200);
    const body = response.body as { nodes: Json[]; edges: Json[] };
    expect(body.nodes.map((n) => [n.id, n.layer, n.role])).toEqual([
      [target, 0, 'target'],
      ['company:api:holdco', 1, 'entity'],
      ['person:api:bob', 1, 'beneficial-owner'],
      [ann, 2, 'beneficial-owner'],
    ]);
    expect(body.edges).toHaveLength(3);
    expect(body.edges[0]).toMatchObject({ label: 'OWNS', share: { minBp: 5000, maxBp: 5000 } });
  });

  it('GET /bods writes the answer as BODS statements', async () => {
    const response = await request(http).get(`/api/v1/ubo/${target}/bods`).expect(200);
    const statements = response.body as { recordType: string; recordId: string }[];
    expect(
      statements
        .filter((s) => s.recordType === 'person')
        .map((s) => s.recordId)
        .sort(),
    ).toEqual([ann, 'person:api:bob']);
  });

  it('POST /evaluate answers from BODS statements without storing anything', async () => {
    const before = await store.counts();
    const response = await request(http)
      .post('/api/v1/ubo/evaluate')
      .send({ statements: STATEMENTS, options: { regime: 'eu' } })
      .expect(200);
    const body = response.body as {
      target: Json;
      owners: Json[];
      bods: Json;
      beneficialOwners: { risk: { indicators: Json[] } }[];
    };
    expect(body.target).toMatchObject({ uid: 'company:bods:target', name: 'Target Ltd' });
    expect(body.bods).toMatchObject({ targetRecordId: 'target', statements: 5, records: 5 });
    expect(body.owners.map((o) => [o.name, (o.effectiveShare as Json).min, o.qualifies])).toEqual([
      ['Ada', '1/4', 'yes'],
    ]);
    expect(body.beneficialOwners[0].risk.indicators.map((i) => i.code)).toContain(
      'high-risk-jurisdiction',
    );
    expect(await store.counts()).toEqual(before);
  });

  it('POST /evaluate takes the target by recordId', async () => {
    const response = await request(http)
      .post('/api/v1/ubo/evaluate')
      .send({ statements: STATEMENTS, companyId: 'holdco' })
      .expect(200);
    expect((response.body as { target: Json }).target.uid).toBe('company:bods:holdco');
  });

  it('POST /evaluate refuses bad statements and unknown fields with 400 naming them', async () => {
    const bad = [...STATEMENTS, { ...STATEMENTS[0], recordId: 'x', recordType: 'company' }];
    const response = await request(http)
      .post('/api/v1/ubo/evaluate')
      .send({ statements: bad })
      .expect(400);
    const fields = (
      response.body as { details: { problems: { field: string }[] } }
    ).details.problems.map((p) => p.field);
    expect(fields).toEqual(['statements[5].recordType']);
    const extra = await request(http)
      .post('/api/v1/ubo/evaluate')
      .send({ statements: STATEMENTS, store: true, options: { regime: 'eu', speed: 'max' } })
      .expect(400);
    const extraFields = (
      extra.body as { details: { problems: { field: string }[] } }
    ).details.problems.map((p) => p.field);
    expect(extraFields).toEqual(expect.arrayContaining(['store', 'options.speed']));
    await request(http).post('/api/v1/ubo/evaluate').send({ statements: [] }).expect(400);
  });

  describe('exports (run last: they rename Ann to a name XML and CSV must escape)', () => {
    const TRICKY = `Ann & <Bob> "O'Neil"`;

    beforeAll(async () => {
      const vertex = await store.getVertex(ann);
      if (vertex?.label !== 'Person') throw new Error('fixture lost Ann');
      await store.upsertVertices([{ ...vertex, props: { ...vertex.props, name: TRICKY } }]);
    });

    it('GET /export?format=csv gives one row per chain, with exact shares and names', async () => {
      const response = await request(http)
        .get(`/api/v1/ubo/${target}/export?format=csv`)
        .expect(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe(
        `attachment; filename="${target.replace(/[^A-Za-z0-9._-]/g, '_')}-ubo.csv"`,
      );
      const lines = response.text.trimEnd().split('\n');
      expect(lines[0]).toBe(
        'targetId,targetName,regime,asOf,kind,personId,personName,beneficialOwner,qualifies,shareMin,shareMax,sharePercentMin,sharePercentMax,controlKind,chainNumber,chain,chainPercentMin,chainPercentMax,chainCounts',
      );
      const annRow = lines.find((l) => l.includes(`,${ann},`));
      expect(annRow).toContain(',ownership,');
      expect(annRow).toContain(`"Ann & <Bob> ""O'Neil""",true,yes,1/4,1/4,25.0000,25.0000,`);
      expect(annRow).toContain('-[50%]->');
      await request(http).get(`/api/v1/ubo/${target}/export?format=pdf`).expect(400);
      await request(http).get('/api/v1/ubo/company:none:1/export?format=csv').expect(404);
    });

    it('GET /export (json) downloads the same answer as GET /ubo/:companyId', async () => {
      const response = await request(http).get(`/api/v1/ubo/${target}/export`).expect(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['content-disposition']).toContain('-ubo.json"');
      const plain = await request(http).get(`/api/v1/ubo/${target}`).expect(200);
      expect(JSON.parse(response.text)).toEqual(plain.body);
    });

    it('GET /network?format=graphml declares its keys and escapes names', async () => {
      const response = await request(http)
        .get(`/api/v1/ubo/${target}/network?format=graphml`)
        .expect(200);
      expect(response.headers['content-type']).toBe('application/graphml+xml; charset=utf-8');
      expect(response.headers['content-disposition']).toContain('-network.graphml"');
      const xml = response.text;
      expect(xml).toContain('<graphml xmlns="http://graphml.graphdrawing.org/xmlns"');
      expect(xml).toContain('<key id="n_label" for="node" attr.name="label" attr.type="string"/>');
      expect(xml).toContain(
        '<key id="e_weight" for="edge" attr.name="weight" attr.type="double"/>',
      );
      expect(xml).toContain('<graph id="ownership" edgedefault="directed">');
      expect(xml).not.toContain(TRICKY);
      expect(xml).toContain('Ann &amp; &lt;Bob&gt;');
      // Parsed back (DOM of the XML builder), the name is intact and every data key is declared.
      const root = create(xml).root().node as unknown as XmlElement;
      const declared = new Set(
        Array.from(root.getElementsByTagName('key'), (k) => k.getAttribute('id')),
      );
      const nodes = Array.from(root.getElementsByTagName('node'));
      const annNode = nodes.find((n) => n.getAttribute('id') === ann);
      const label = Array.from(annNode?.getElementsByTagName('data') ?? []).find(
        (d) => d.getAttribute('key') === 'n_label',
      );
      expect(label?.textContent).toBe(TRICKY);
      expect(nodes).toHaveLength(4);
      expect(root.getElementsByTagName('edge')).toHaveLength(3);
      for (const d of Array.from(root.getElementsByTagName('data')))
        expect(declared.has(d.getAttribute('key'))).toBe(true);
      const json = await request(http).get(`/api/v1/ubo/${target}/network`).expect(200);
      expect(json.headers['content-type']).toContain('application/json');
      await request(http).get(`/api/v1/ubo/${target}/network?format=svg`).expect(400);
    });
  });
});
