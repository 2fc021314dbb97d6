import { SingleCurrencyMoney } from '@app/vocabulary';
import { stackChainDetector } from '../aml/stack-chain.detector';
import { TrialRun } from '../engine/trial-run';
import { DAY, defaultConfig, HOUR, mv, T0 } from '../testing/fixtures';
import { MemoryAccountDirectory } from './account-directory';
import { FlowIndex } from './flow-index';
import { LayerContacts } from './layer-contacts';
import { resolveParameters } from './parameters';

// What a trial (StreamDetectionEngine.trial) sees and leaves behind must equal the real feed:
// GroupedWindows evicts inside a trial too, and the trial must put every eviction back. (A
// review found the eviction made through a callback holding the unproxied object: unfrozen
// contacts stayed in their groups inside the trial, and frozen movements were lost for good.)
const frozen = (...args: Parameters<typeof mv>) => Object.freeze(mv(...args));

describe('GroupedWindows under a trial', () => {
  it('LayerContacts: inside a trial an evicted contact is gone, as in the real feed', () => {
    const build = (): LayerContacts => {
      const contacts = new LayerContacts(10 * DAY);
      contacts.add(mv('acc:A', 'acc:B', 100, T0));
      contacts.add(mv('acc:A', 'acc:C', 100, T0 + 5 * DAY));
      return contacts;
    };
    const plain = build();
    const tried = build();
    const next = mv('acc:A', 'acc:D', 100, T0 + 11 * DAY);
    plain.add(next);
    const trial = new TrialRun();
    const view = trial.wrap(tried);
    view.add(next);
    const seen = {
      hasPaid: view.hasPaid('acc:A', 'acc:B', next.timestamp),
      payees: view.payeesOf('acc:A', next.timestamp, 10),
    };
    trial.rollback();
    expect(seen).toEqual({
      hasPaid: plain.hasPaid('acc:A', 'acc:B', next.timestamp),
      payees: plain.payeesOf('acc:A', next.timestamp, 10),
    });
    expect(seen).toEqual({ hasPaid: false, payees: 2 });
  });

  it('FlowIndex: a trial that evicts leaves the groups as they were', () => {
    const build = (): FlowIndex => {
      const flows = new FlowIndex(10 * DAY);
      flows.add(frozen('acc:A', 'acc:B', 100, T0));
      flows.add(frozen('acc:A', 'acc:C', 100, T0 + 5 * DAY));
      return flows;
    };
    const plain = build();
    const tried = build();
    const trial = new TrialRun();
    trial.wrap(tried).add(frozen('acc:A', 'acc:D', 100, T0 + 11 * DAY));
    trial.rollback();
    // The next real activity may be earlier than the tried one (a trial does not move it on).
    const at = T0 + 9 * DAY;
    expect([...tried.receivers('acc:A', at).keys()]).toEqual(['acc:B', 'acc:C']);
    expect([...tried.receivers('acc:A', at).keys()]).toEqual([
      ...plain.receivers('acc:A', at).keys(),
    ]);
  });

  it('stack-chain raises in a trial the alert the real feed raises', () => {
    const params = resolveParameters(stackChainDetector, defaultConfig());
    const make = () =>
      stackChainDetector.createEvaluator(params, {
        accounts: new MemoryAccountDirectory([], []),
        money: new SingleCurrencyMoney('USD'),
      });
    const history = [
      // B paid C 46 days before: outside the 45-day history, so B -> C is a new relationship.
      frozen('acc:B', 'acc:C', 500_00, T0),
      frozen('acc:A', 'acc:B', 12_000_00, T0 + 46 * DAY),
    ];
    const out = frozen('acc:B', 'acc:C', 11_400_00, T0 + 46 * DAY + 30 * HOUR);
    const plain = make();
    const tried = make();
    for (const m of history) {
      plain.onMovement(m);
      tried.onMovement(m);
    }
    const trial = new TrialRun();
    const inTrial = trial.wrap(tried).onMovement(out).length;
    trial.rollback();
    const real = plain.onMovement(out).length;
    expect(real).toBe(1);
    expect(inTrial).toBe(real);
  });
});
