import { CASE_STATUSES, ConflictError, InvalidInputError } from '@app/vocabulary';
import type { CaseStatus } from '@app/vocabulary';
import { CASE_TRANSITIONS, checkTransition } from './case-workflow';

describe('case workflow', () => {
  const allowed: [CaseStatus, CaseStatus][] = [
    ['open', 'investigating'],
    ['investigating', 'escalated'],
    ['escalated', 'investigating'],
    ['escalated', 'reported'],
    ['reported', 'closed'],
    ['closed', 'investigating'],
  ];

  it.each(allowed)('allows %s -> %s', (from, to) => {
    const reason = to === 'closed' ? 'reported' : undefined;
    expect(checkTransition('case:x', from, to, reason)).toBe(reason);
  });

  it('lets every status but closed move to closed, with a reason', () => {
    for (const from of CASE_STATUSES) {
      expect(CASE_TRANSITIONS[from].includes('closed')).toBe(from !== 'closed');
    }
    expect(checkTransition('case:x', 'open', 'closed', 'duplicate')).toBe('duplicate');
  });

  it.each([
    ['open', 'reported'],
    ['open', 'escalated'],
    ['investigating', 'reported'],
    ['reported', 'investigating'],
    ['closed', 'open'],
    ['closed', 'reported'],
    ['open', 'open'],
  ] as [CaseStatus, CaseStatus][])(
    'refuses %s -> %s, naming from, to and what is allowed',
    (from, to) => {
      let thrown: unknown;
      try {
        checkTransition('case:x', from, to, undefined);
      } catch (error: unknown) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConflictError);
      const message = (thrown as ConflictError).message;
      expect(message).toContain(`is ${from}`);
      expect(message).toContain(`cannot move to ${to}`);
      expect(message).toContain(`allowed next: ${CASE_TRANSITIONS[from].join(', ')}`);
      expect((thrown as ConflictError).details).toEqual({
        field: 'status',
        from,
        to,
        allowed: CASE_TRANSITIONS[from],
      });
    },
  );

  it('needs a close reason to close, naming closeReason', () => {
    expect(() => checkTransition('case:x', 'investigating', 'closed', undefined)).toThrow(
      InvalidInputError,
    );
    try {
      checkTransition('case:x', 'investigating', 'closed', undefined);
    } catch (error: unknown) {
      expect((error as InvalidInputError).problems[0]?.field).toBe('closeReason');
    }
  });

  it('refuses a close reason on any other move', () => {
    expect(() => checkTransition('case:x', 'open', 'investigating', 'duplicate')).toThrow(
      /only given when closing/,
    );
  });
});
