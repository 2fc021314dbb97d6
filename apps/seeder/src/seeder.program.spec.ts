import { createSeederProgram } from './seeder.program';

describe('createSeederProgram', () => {
  it('offers generate, import (bank, amlworld, amlsim, bods), detect, evaluate, train and compare-models', () => {
    const program = createSeederProgram({
      boot: () => Promise.reject(new Error('not booted in this test')),
    });
    expect(program.commands.map((c) => c.name()).sort()).toEqual([
      'compare-models',
      'detect',
      'evaluate',
      'generate',
      'import',
      'train',
      'tune',
    ]);
    const imports = program.commands.find((c) => c.name() === 'import');
    expect(imports?.commands.map((c) => c.name()).sort()).toEqual([
      'amlsim',
      'amlworld',
      'bank',
      'bods',
    ]);
  });
});
