import { validateVertex } from '@app/vocabulary';
import { alertWithExplanation as alertWith } from '../testing/fixtures';
import { boundedExplanation, listedMovements, MAX_EXPLANATION_CHARS } from './explanation';

describe('MAX_EXPLANATION_CHARS', () => {
  it('is the longest explanation the vocabulary accepts on an Alert vertex', () => {
    expect(validateVertex(alertWith('x'.repeat(MAX_EXPLANATION_CHARS)))).toEqual([]);
    expect(validateVertex(alertWith('x'.repeat(MAX_EXPLANATION_CHARS + 1)))).toEqual([
      { field: 'props.explanation', rule: `must be at most ${MAX_EXPLANATION_CHARS} characters` },
    ]);
  });
});

describe('boundedExplanation', () => {
  it('leaves an explanation that fits unchanged', () => {
    const text = 'Account A made 3 cash deposits.';
    expect(boundedExplanation(text, 3)).toBe(text);
    expect(boundedExplanation('x'.repeat(MAX_EXPLANATION_CHARS), 3)).toHaveLength(
      MAX_EXPLANATION_CHARS,
    );
  });

  it('keeps the start, cuts at a word and says where the rest of the evidence is', () => {
    const items = Array.from({ length: 600 }, (_, i) => `900.00 USD into account:x:${i}`);
    const text = `Account X made 600 cash deposits: ${items.join('; ')}.`;
    expect(text.length).toBeGreaterThan(MAX_EXPLANATION_CHARS);
    const bounded = boundedExplanation(text, 600);
    expect(bounded.length).toBeLessThanOrEqual(MAX_EXPLANATION_CHARS);
    expect(
      bounded.startsWith('Account X made 600 cash deposits: 900.00 USD into account:x:0;'),
    ).toBe(true);
    expect(bounded).toMatch(
      new RegExp(
        `\\S… \\(explanation shortened from ${text.length} characters; all 600 evidence movements are in movementIds\\)$`,
      ),
    );
    const kept = bounded.slice(0, bounded.indexOf('…'));
    expect(text.startsWith(kept)).toBe(true);
    expect(text[kept.length]).toMatch(/[\s;]/);
    expect(validateVertex(alertWith(bounded))).toEqual([]);
  });

  it('cuts a text without spaces too, within the limit', () => {
    const bounded = boundedExplanation('y'.repeat(50_000), 0, 500);
    expect(bounded.length).toBeLessThanOrEqual(500);
    expect(bounded).toMatch(/^y+… \(explanation shortened from 50000 characters; see the/);
  });
});

describe('listedMovements', () => {
  it('lists every item when few, else the first ones and how many more', () => {
    expect(listedMovements(['a', 'b'], 2)).toBe('a; b');
    expect(listedMovements(['a', 'b', 'c', 'd'], 2)).toBe(
      'a; b… (2 more movements; see movementIds)',
    );
    expect(listedMovements(['a', 'b', 'c'], 2)).toBe('a; b… (1 more movement; see movementIds)');
  });
});
