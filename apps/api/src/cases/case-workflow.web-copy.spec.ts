import { CASE_CLOSE_REASONS, CASE_STATUSES } from '@app/vocabulary';
import {
  CASE_CLOSE_REASONS as WEB_CLOSE_REASONS,
  CASE_STATUSES as WEB_STATUSES,
  CASE_TRANSITIONS as WEB_TRANSITIONS,
  nextStatuses,
} from '../../../web/src/pages/case-workflow';
import { CASE_TRANSITIONS, checkTransition } from './case-workflow';

// The web app keeps its own copy of the case workflow (it must not import server code into the
// browser bundle); this test fails the moment the two drift apart.
describe('The web app’s copy of the case workflow', () => {
  it('has the same statuses, close reasons and transitions as the API', () => {
    expect([...WEB_STATUSES]).toEqual([...CASE_STATUSES]);
    expect([...WEB_CLOSE_REASONS]).toEqual([...CASE_CLOSE_REASONS]);
    expect(WEB_TRANSITIONS).toEqual(CASE_TRANSITIONS);
  });

  it('offers exactly the moves the API accepts, from every status', () => {
    for (const from of CASE_STATUSES) {
      for (const to of CASE_STATUSES) {
        const reason = to === 'closed' ? CASE_CLOSE_REASONS[0] : undefined;
        let accepted = true;
        try {
          checkTransition('case:test', from, to, reason);
        } catch {
          accepted = false;
        }
        expect([from, to, nextStatuses(from).includes(to)]).toEqual([from, to, accepted]);
      }
    }
    expect(nextStatuses('no-such-status')).toEqual([]);
  });
});
