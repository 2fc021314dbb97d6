import { Test } from '@nestjs/testing';
import { GraphStore } from '@app/graph-store';
import { SEED_PROFILES, type SeederConfig, seederSettings } from '@app/settings';
import { SeederModule } from './seeder.module';

describe('SeederModule', () => {
  it('provides the seeder settings without a graph store when files are written', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SeederModule.register({ graph: false })],
    }).compile();
    expect(SEED_PROFILES).toContain(moduleRef.get<SeederConfig>(seederSettings.KEY).profile);
    expect(() => moduleRef.get(GraphStore)).toThrow();
    await moduleRef.close();
  });

  it('provides the GraphStore chosen by GRAPH_BACKEND for the graph sink (memory by default)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SeederModule.register({ graph: true })],
    }).compile();
    expect(moduleRef.get(GraphStore).backend).toBe('memory');
    await moduleRef.close();
  });
});
