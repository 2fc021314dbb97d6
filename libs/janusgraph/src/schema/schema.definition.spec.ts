import { propertyKeys } from '@app/vocabulary';
import {
  indexNamesOf,
  javaTypeOf,
  NO_MIXED_INDEX_BACKEND,
  schemaDefinition,
} from './schema.definition';

describe('schemaDefinition', () => {
  const definition = schemaDefinition();
  const keyNames = new Set(definition.propertyKeys.map((key) => key.name));

  it('has one property key per vocabulary key with the mapped Java type', () => {
    const vocabulary = propertyKeys();
    expect(definition.propertyKeys).toHaveLength(vocabulary.size);
    for (const key of definition.propertyKeys) {
      const type = vocabulary.get(key.name);
      expect(type).toBeDefined();
      expect(key.dataType).toBe(javaTypeOf(type ?? 'string'));
    }
    expect(definition.propertyKeys.find((key) => key.name === 'movementIds')?.dataType).toBe(
      'String',
    );
    expect(definition.propertyKeys.find((key) => key.name === 'amountMinor')?.dataType).toBe(
      'Long',
    );
    expect(definition.propertyKeys.find((key) => key.name === 'shareMinBp')?.dataType).toBe(
      'Integer',
    );
  });

  it('indexes uid uniquely on vertices and eid on edges', () => {
    expect(definition.compositeIndexes).toEqual(
      expect.arrayContaining([
        { name: 'byUid', element: 'vertex', keys: ['uid'], unique: true },
        { name: 'byEid', element: 'edge', keys: ['eid'], unique: false },
      ]),
    );
  });

  it('has a vertex-centric index on TRANSFERRED by timestamp in both directions', () => {
    expect(definition.edgeIndexes).toContainEqual({
      name: 'transferredByTime',
      edgeLabel: 'TRANSFERRED',
      direction: 'BOTH',
      keys: ['timestamp'],
      order: 'asc',
    });
  });

  it('has a mixed index listing every vertex label by uid, and name text search for people and companies', () => {
    for (const label of definition.vertexLabels) {
      const index = definition.mixedIndexes.find((candidate) => candidate.label === label);
      expect(index?.keys).toContainEqual({ name: 'uid', mapping: 'STRING' });
    }
    for (const label of ['Person', 'Company']) {
      const index = definition.mixedIndexes.find((candidate) => candidate.label === label);
      expect(index?.keys).toContainEqual({ name: 'name', mapping: 'TEXTSTRING' });
    }
  });

  it('has the alert status history: its vertex and edge labels, keys and label index', () => {
    expect(definition.vertexLabels).toContain('StatusChange');
    expect(definition.edgeLabels).toContain('HAS_STATUS_CHANGE');
    expect(definition.propertyKeys).toEqual(
      expect.arrayContaining([
        { name: 'alertId', dataType: 'String' },
        { name: 'seq', dataType: 'Integer' },
        { name: 'fromStatus', dataType: 'String' },
        { name: 'toStatus', dataType: 'String' },
        { name: 'at', dataType: 'Long' },
        { name: 'note', dataType: 'String' },
        { name: 'actor', dataType: 'String' },
      ]),
    );
    expect(definition.mixedIndexes).toContainEqual({
      name: 'statusChangeSearch',
      element: 'vertex',
      label: 'StatusChange',
      keys: [{ name: 'uid', mapping: 'STRING' }],
    });
  });

  it('uses only existing keys and labels, unique index names, and letters and digits in mixed index names', () => {
    const referenced = [
      ...definition.compositeIndexes.flatMap((index) => index.keys),
      ...definition.mixedIndexes.flatMap((index) => index.keys.map((key) => key.name)),
      ...definition.edgeIndexes.flatMap((index) => index.keys),
    ];
    for (const key of referenced) expect(keyNames.has(key)).toBe(true);
    for (const index of definition.mixedIndexes) {
      expect(index.name).toMatch(/^[A-Za-z0-9]+$/);
      if (index.label !== undefined) {
        const labels = index.element === 'vertex' ? definition.vertexLabels : definition.edgeLabels;
        expect(labels).toContain(index.label);
      }
    }
    const names = indexNamesOf(definition);
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps every composite and edge index but no mixed index without a mixed-index backend', () => {
    const composite = schemaDefinition(NO_MIXED_INDEX_BACKEND);
    expect(composite.mixedIndexes).toEqual([]);
    expect(composite.compositeIndexes).toEqual(definition.compositeIndexes);
    expect(composite.edgeIndexes).toEqual(definition.edgeIndexes);
    expect(composite.propertyKeys).toEqual(definition.propertyKeys);
    expect(definition.mixedIndexes.length).toBeGreaterThan(0);
  });
});
