import { DONE, outcomeOf, waitFor } from './wait';

describe('outcomeOf', () => {
  it('answers DONE for a step that resolves, whatever it resolves to', async () => {
    expect(await outcomeOf(Promise.resolve(false))).toBe(DONE);
  });

  it("answers a failed step's message, so the test's diff says why", async () => {
    let seen = 'starting';
    const step = waitFor(
      () => {
        seen = 'still 503';
        return Promise.resolve(false);
      },
      'the worker to be ready',
      0,
      () => seen,
    );
    expect(await outcomeOf(step)).toBe(
      'timed out after 0 ms waiting for the worker to be ready (last seen: still 503)',
    );
  });
});
