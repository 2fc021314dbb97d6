import { describeWithJanusGraph, openJanusGraphStore } from '@app/testing';
import type { OpenedJanusGraphStore } from '@app/testing';
import { GraphTotpEnrolments } from '../mfa/graph.totp-enrolments';
import { totpEnrolmentsContract } from '../mfa/totp-enrolments.contract';
import { TotpSecretCipher } from '../mfa/totp-secret.cipher';
import { caseStoreContract } from './case-store.contract';
import { GraphCaseStore } from './graph.case-store';

// Cases and TOTP enrolments on a real JanusGraph: Case and TotpEnrolment vertices of the
// bootstrapped schema, written by one connection and read back by another (a restart of the
// API, or a second replica). The contracts are the ones the in-memory adapters pass.
describeWithJanusGraph('Cases and TOTP enrolments on real JanusGraph', (endpoint) => {
  let first: OpenedJanusGraphStore;
  let second: OpenedJanusGraphStore;
  const key = Buffer.alloc(32, 11);

  beforeAll(async () => {
    first = await openJanusGraphStore(endpoint);
    second = await openJanusGraphStore(endpoint);
  });

  beforeEach(async () => {
    // Every contract test starts from an empty graph.
    await first.store.clear();
  });

  afterAll(async () => {
    await first.store.clear();
    await first.close();
    await second.close();
  });

  caseStoreContract('graph on JanusGraph', () => ({
    store: new GraphCaseStore(first.store),
    reopen: () => new GraphCaseStore(second.store),
  }));

  totpEnrolmentsContract('graph on JanusGraph', () => ({
    enrolments: new GraphTotpEnrolments(first.store, new TotpSecretCipher(key)),
    reopen: () => new GraphTotpEnrolments(second.store, new TotpSecretCipher(key)),
  }));
});
