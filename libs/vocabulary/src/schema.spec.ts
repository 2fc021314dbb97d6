import { ids } from './ids';
import type { GraphEdge, GraphVertex, StatusChangeVertex } from './records';
import { propertyKeys, validateEdge, validateVertex } from './schema';

describe('StatusChange in the vocabulary', () => {
  const alertId = ids.alert('aml.structuring', '0123456789abcdef0123456789abcdef');
  const raise: StatusChangeVertex = {
    label: 'StatusChange',
    uid: ids.statusChange(alertId, 0),
    props: {
      alertId,
      seq: 0,
      toStatus: 'open',
      at: Date.UTC(2025, 1, 3),
      note: 'raised by aml.structuring 1.1.0',
      actor: 'detector',
    },
  };
  const change: StatusChangeVertex = {
    label: 'StatusChange',
    uid: ids.statusChange(alertId, 1),
    props: { ...raise.props, seq: 1, fromStatus: 'open', toStatus: 'escalated', actor: 'key-1' },
  };

  it('accepts a raise without a previous status and a change with one', () => {
    expect(validateVertex(raise)).toEqual([]);
    expect(validateVertex(change)).toEqual([]);
    expect(raise.uid).toBe(`status:${alertId}#0`);
  });

  it('has a previous status exactly for the changes after the raise', () => {
    expect(validateVertex({ ...raise, props: { ...raise.props, fromStatus: 'open' } })).toEqual([
      { field: 'props.fromStatus', rule: 'must be absent for the raise (seq 0)' },
    ]);
    const { fromStatus: _dropped, ...withoutFrom } = change.props;
    expect(validateVertex({ ...change, props: withoutFrom })).toEqual([
      { field: 'props.fromStatus', rule: 'is required after the raise (seq 1 on)' },
    ]);
  });

  it('checks statuses, the note, the actor, the alert id and the number', () => {
    const bad = {
      ...change,
      props: {
        ...change.props,
        toStatus: 'done',
        note: '',
        actor: '',
        alertId: ' alert',
        seq: -1,
      },
    } as unknown as StatusChangeVertex;
    expect(
      validateVertex(bad)
        .map((p) => p.field)
        .sort(),
    ).toEqual(['props.actor', 'props.alertId', 'props.note', 'props.seq', 'props.toStatus']);
  });

  it('links an alert to its changes with a HAS_STATUS_CHANGE edge keyed by the change', () => {
    expect(
      validateEdge({
        label: 'HAS_STATUS_CHANGE',
        eid: ids.statusChangeEdge(alertId, 1),
        from: alertId,
        to: change.uid,
        props: {},
      }),
    ).toEqual([]);
    expect(ids.statusChangeEdge(alertId, 1)).toBe(`HAS_STATUS_CHANGE:status:${alertId}#1`);
  });

  it('gives the new property keys one storage type each', () => {
    const keys = propertyKeys();
    expect(keys.get('seq')).toBe('integer');
    expect(keys.get('at')).toBe('long');
    expect(keys.get('fromStatus')).toBe('string');
  });
});

describe('property names every JavaScript object inherits', () => {
  it('are not properties of any label, and are not labels', () => {
    const person = (extra: Record<string, unknown>) => ({
      label: 'Person' as const,
      uid: 'person:b:1',
      props: { name: 'A', isPep: false, isSanctioned: false, ...extra },
    });
    for (const key of ['hasOwnProperty', 'valueOf', 'isPrototypeOf', 'toString']) {
      expect(validateVertex(person({ [key]: 'x' }))).toEqual([
        { field: `props.${key}`, rule: 'is not a property of this label' },
      ]);
    }
    const ownProto = person(JSON.parse('{"__proto__":"x"}') as Record<string, unknown>);
    expect(validateVertex(ownProto)).toEqual([
      { field: 'props.__proto__', rule: 'is not a property of this label' },
    ]);
    const labelled = { ...person({}), label: 'constructor' } as unknown as GraphVertex;
    expect(validateVertex(labelled)).toEqual([
      { field: 'label', rule: expect.stringContaining('must be one of Person') as unknown },
    ]);
    const edge = {
      label: 'valueOf',
      eid: 'e:1',
      from: 'person:b:1',
      to: 'account:b:1',
      props: {},
    } as unknown as GraphEdge;
    expect(validateEdge(edge)[0]?.field).toBe('label');
  });
});

describe('dates written YYYY-MM-DD', () => {
  it('must name a day that exists', () => {
    const person = (birthDate: string) => ({
      label: 'Person' as const,
      uid: 'person:b:1',
      props: { name: 'A', isPep: false, isSanctioned: false, birthDate },
    });
    expect(validateVertex(person('1980-02-29'))).toEqual([]);
    for (const day of ['1980-13-45', '2023-02-29', '1980-04-31', '1980-00-10']) {
      expect(validateVertex(person(day))).toEqual([
        { field: 'props.birthDate', rule: 'must be a day that exists (YYYY-MM-DD)' },
      ]);
    }
  });
});

describe('text and codes that come from a bank', () => {
  const person = (name: string): GraphVertex => ({
    label: 'Person',
    uid: 'p1',
    props: { name, isPep: false, isSanctioned: false },
  });
  const movement = (props: Record<string, unknown>): GraphEdge => ({
    label: 'TRANSFERRED',
    eid: 'm1',
    from: 'a1',
    to: 'a2',
    props: { amountMinor: 100, currency: 'EUR', timestamp: 0, channel: 'wire', ...props },
  });

  it('refuses control characters and direction overrides in names, and blank names', () => {
    expect(validateVertex(person('Zoë Ñúñez-O’Brien 王'))).toEqual([]);
    expect(validateVertex(person('Ann\u0000'))).toEqual([
      {
        field: 'props.name',
        rule: 'must be one line of visible text (U+0000 at character 4 is a control character or a direction override)',
      },
    ]);
    for (const name of ['Ann\nSmith', 'A\u001b[31m', 'A\u0085', 'evil\u202Etxt.exe', '\u2066x']) {
      expect(validateVertex(person(name))[0]?.rule).toMatch(/^must be one line of visible text/);
    }
    expect(validateVertex(person('   '))).toEqual([
      { field: 'props.name', rule: 'must not be blank' },
    ]);
  });

  it('refuses the same in a movement reference, which may be left out', () => {
    expect(validateEdge(movement({ reference: 'INV 2024/17' }))).toEqual([]);
    expect(validateEdge(movement({ reference: '' }))).toEqual([]);
    expect(validateEdge(movement({ reference: 'x\u0007' }))[0]?.field).toBe('props.reference');
  });

  it('takes currency codes in use only, not any three capitals', () => {
    expect(validateEdge(movement({ currency: 'JPY' }))).toEqual([]);
    expect(validateEdge(movement({ currency: 'BTC' }))).toEqual([]);
    expect(validateEdge(movement({ currency: 'ZZZ' }))).toEqual([
      {
        field: 'props.currency',
        rule: 'must be an ISO 4217 currency code in use, such as EUR or USD',
      },
    ]);
    expect(validateEdge(movement({ receivedAmountMinor: 90, receivedCurrency: 'QQQ' }))).toEqual([
      {
        field: 'props.receivedCurrency',
        rule: 'must be an ISO 4217 currency code in use, such as EUR or USD',
      },
    ]);
  });

  it('wants a latitude and a longitude together, on movements and on events', () => {
    expect(validateEdge(movement({ latitude: 40.7, longitude: -74 }))).toEqual([]);
    expect(validateEdge(movement({ latitude: 40.7 }))).toEqual([
      { field: 'props.longitude', rule: 'is required with props.latitude' },
    ]);
    const event: GraphVertex = {
      label: 'Event',
      uid: 'e1',
      props: { kind: 'login', timestamp: 0, longitude: 2.35 },
    };
    expect(validateVertex(event)).toEqual([
      { field: 'props.latitude', rule: 'is required with props.longitude' },
    ]);
  });

  it('wants the amount received and its currency together', () => {
    expect(validateEdge(movement({ receivedAmountMinor: 90, receivedCurrency: 'USD' }))).toEqual(
      [],
    );
    expect(validateEdge(movement({ receivedAmountMinor: 90 }))).toEqual([
      { field: 'props.receivedCurrency', rule: 'is required with props.receivedAmountMinor' },
    ]);
    expect(validateEdge(movement({ receivedCurrency: 'USD' }))).toEqual([
      { field: 'props.receivedAmountMinor', rule: 'is required with props.receivedCurrency' },
    ]);
  });
});
