import { createSeederProgram } from './seeder.program';

describe('createSeederProgram', () => {
  it('offers generate, import (amlworld, amlsim, bods) and evaluate', () => {
    const program = createSeederProgram({
      boot: () => Promise.reject(new Error('not booted in this test')),
    });
    expect(program.commands.map((c) => c.name()).sort()).toEqual([
      'evaluate',
      'generate',
      'import',
    ]);
    const imports = program.commands.find((c) => c.name() === 'import');
    expect(imports?.commands.map((c) => c.name()).sort()).toEqual(['amlsim', 'amlworld', 'bods']);
  });
});
