import { MemoryGraphStore } from '@app/graph-store';
import { GraphTotpEnrolments } from './graph.totp-enrolments';
import { totpEnrolmentsContract } from './totp-enrolments.contract';
import { MemoryTotpEnrolments } from './totp-enrolments';
import { TotpSecretCipher } from './totp-secret.cipher';

totpEnrolmentsContract('memory', () => {
  const enrolments = new MemoryTotpEnrolments();
  return { enrolments, reopen: () => enrolments };
});

totpEnrolmentsContract('graph (over the memory graph store)', () => {
  const graph = new MemoryGraphStore();
  const key = Buffer.alloc(32, 7);
  return {
    enrolments: new GraphTotpEnrolments(graph, new TotpSecretCipher(key)),
    reopen: () => new GraphTotpEnrolments(graph, new TotpSecretCipher(key)),
  };
});
