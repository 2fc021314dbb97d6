import { createHash } from 'node:crypto';
import { GraphStore } from '@app/graph-store';
import { BUSINESS_ID_PATTERN } from '@app/vocabulary';
import type { GraphVertex, TotpEnrolmentVertex } from '@app/vocabulary';
import { StoredBackupCode, TotpEnrolment, TotpEnrolments } from './totp-enrolments';
import { TotpSecretCipher } from './totp-secret.cipher';

const PREFIX = 'totp:';

/**
 * The vertex uid of a principal's enrolment: `totp:<principal id>`, or `totp#<sha256 hex>` for
 * an id a uid cannot hold (an identity provider's `sub` may contain any character). The two
 * forms never meet, so two principals never share a uid.
 */
export function totpEnrolmentUid(principalId: string): string {
  const plain = `${PREFIX}${principalId}`;
  return BUSINESS_ID_PATTERN.test(plain)
    ? plain
    : `totp#${createHash('sha256').update(principalId, 'utf8').digest('hex')}`;
}

function isEnrolmentVertex(vertex: GraphVertex | undefined): vertex is TotpEnrolmentVertex {
  return vertex?.label === 'TotpEnrolment';
}

function backupCodesOf(vertex: TotpEnrolmentVertex): StoredBackupCode[] {
  return vertex.props.backupCodes.map((code) => JSON.parse(code) as StoredBackupCode);
}

/**
 * TOTP enrolments in the graph, through the GraphStore port: one `TotpEnrolment` vertex per
 * principal (uid from `totpEnrolmentUid`), no edges, so they survive a restart (on JanusGraph)
 * and every API replica sharing the graph sees the same enrolments. The TOTP secret is stored
 * only sealed with AES-256-GCM (`TotpSecretCipher`, under TOTP_ENCRYPTION_KEY) and opened on
 * `find`; backup codes arrive already hashed (scrypt) and are stored as they are, one JSON
 * document each. The label is derived and restricted: ingest cannot write it and analysts
 * cannot browse it.
 *
 * Round trips: find 1; put 1; markConfirmed, claimStep and claimBackupCode 2 (read, write).
 *
 * The claims read, check and write back. Within this process they are atomic: every write of
 * one principal waits for the previous one (a promise chain per principal), so two parallel
 * claims of one step or backup code answer true once. Across replicas they are not: the graph
 * store has no conditional write, so the same code sent to two replicas within the same instant
 * (between one's read and its write) can be accepted by both. That residual race is accepted:
 * it needs a code observed and replayed within milliseconds, and what it yields, a step-up
 * token, is short-lived (STEP_UP_MAX_AGE_SECONDS) and bound to the same principal.
 */
export class GraphTotpEnrolments extends TotpEnrolments {
  /** The last write queued per principal; removed once it settles with nothing behind it. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: GraphStore,
    private readonly cipher: TotpSecretCipher,
  ) {
    super();
  }

  async find(principalId: string): Promise<TotpEnrolment | undefined> {
    const vertex = await this.read(principalId);
    if (vertex === undefined) return undefined;
    const { props } = vertex;
    return {
      principalId: props.principalId,
      secret: this.cipher.open(props.encryptedSecret, props.principalId),
      confirmed: props.confirmed,
      enrolledAt: new Date(props.enrolledAt).toISOString(),
      backupCodes: backupCodesOf(vertex),
      ...(props.lastUsedStep === undefined ? {} : { lastUsedStep: props.lastUsedStep }),
    };
  }

  put(enrolment: TotpEnrolment): Promise<void> {
    return this.serialised(enrolment.principalId, async () => {
      await this.store.upsertVertices([
        {
          label: 'TotpEnrolment',
          uid: totpEnrolmentUid(enrolment.principalId),
          props: {
            principalId: enrolment.principalId,
            encryptedSecret: this.cipher.seal(enrolment.secret, enrolment.principalId),
            confirmed: enrolment.confirmed,
            enrolledAt: Date.parse(enrolment.enrolledAt),
            backupCodes: enrolment.backupCodes.map((code) => JSON.stringify(code)),
            ...(enrolment.lastUsedStep === undefined
              ? {}
              : { lastUsedStep: enrolment.lastUsedStep }),
          },
        },
      ]);
    });
  }

  markConfirmed(principalId: string): Promise<void> {
    return this.serialised(principalId, async () => {
      const vertex = await this.read(principalId);
      if (vertex === undefined || vertex.props.confirmed) return;
      await this.write(vertex, { ...vertex.props, confirmed: true });
    });
  }

  claimStep(principalId: string, step: number): Promise<boolean> {
    return this.serialised(principalId, async () => {
      const vertex = await this.read(principalId);
      const last = vertex?.props.lastUsedStep;
      if (vertex === undefined || (last !== undefined && step <= last)) return false;
      await this.write(vertex, { ...vertex.props, lastUsedStep: step });
      return true;
    });
  }

  claimBackupCode(principalId: string, index: number): Promise<boolean> {
    return this.serialised(principalId, async () => {
      const vertex = await this.read(principalId);
      if (vertex === undefined) return false;
      const codes = backupCodesOf(vertex);
      const code = codes[index];
      if (code === undefined || code.used) return false;
      codes[index] = { ...code, used: true };
      await this.write(vertex, {
        ...vertex.props,
        backupCodes: codes.map((one) => JSON.stringify(one)),
      });
      return true;
    });
  }

  // -------------------------------------------------------------------------------------------

  private async read(principalId: string): Promise<TotpEnrolmentVertex | undefined> {
    const vertex = await this.store.getVertex(totpEnrolmentUid(principalId));
    return isEnrolmentVertex(vertex) ? vertex : undefined;
  }

  private async write(
    vertex: TotpEnrolmentVertex,
    props: TotpEnrolmentVertex['props'],
  ): Promise<void> {
    await this.store.upsertVertices([{ ...vertex, props }]);
  }

  /** Runs `work` after every earlier write of the same principal in this process has settled. */
  private serialised<T>(principalId: string, work: () => Promise<T>): Promise<T> {
    // Queued promises never reject (see `settled`), so `work` runs once the previous is done.
    const previous = this.queues.get(principalId) ?? Promise.resolve();
    const next = previous.then(work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(principalId, settled);
    void settled.then(() => {
      if (this.queues.get(principalId) === settled) this.queues.delete(principalId);
    });
    return next;
  }
}
