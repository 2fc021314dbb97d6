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
