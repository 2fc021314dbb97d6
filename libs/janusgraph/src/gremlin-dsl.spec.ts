import { structure } from 'gremlin';
import { __, janusGraphPredicateSerializer, textContainsPrefix } from './gremlin-dsl';

describe('JanusGraph predicates in GraphSON', () => {
  const writer = new structure.io.GraphSONWriter({
    serializers: { 'janusgraph:JanusGraphP': janusGraphPredicateSerializer },
  });

  it('writes textContainsPrefix as janusgraph:JanusGraphP inside a has() step', () => {
    const bytecode = __.has('name', textContainsPrefix('harb')).getBytecode();
    const written = JSON.parse(writer.write(bytecode)) as {
      '@value': { step: unknown[][] };
    };
    expect(written['@value'].step[0]).toEqual([
      'has',
      'name',
      {
        '@type': 'janusgraph:JanusGraphP',
        '@value': { predicate: 'textContainsPrefix', value: 'harb' },
      },
    ]);
  });

  it('leaves TinkerPop values to the driver', () => {
    expect(janusGraphPredicateSerializer.canBeUsedFor('harb')).toBe(false);
    expect(janusGraphPredicateSerializer.canBeUsedFor(textContainsPrefix('harb'))).toBe(true);
  });
});
