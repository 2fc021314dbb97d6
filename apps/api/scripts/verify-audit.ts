/*
 * npm run audit:verify — checks the hash chain of the audit trail stored in the graph.
 *
 * Reads every AuditEntry vertex of the configured graph store (GRAPH_BACKEND=janusgraph and
 * the other GRAPH_* settings, as for the API), verifies each API process's chain and prints OK
 * or the first broken link. Exit code 0 when the chain is whole, 1 when it is broken or the
 * store cannot be read.
 */
import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphStore, GraphStoreModule } from '@app/graph-store';
import { loadAllSettings, SettingsModule } from '@app/settings';
import { SystemClock } from '@app/vocabulary';
import { describeAuditChainReport } from '../src/audit/audit-chain';
import { verifyAuditLog } from '../src/audit/audit-verify.controller';
import { GraphAuditLog } from '../src/audit/graph.audit-log';

@Module({ imports: [SettingsModule, GraphStoreModule] })
class VerifyAuditModule {}

/** Reads everything: the command line has no request to answer in time. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

async function main(): Promise<number> {
  const settings = loadAllSettings();
  if (settings.graph.backend === 'memory') {
    process.stderr.write(
      'GRAPH_BACKEND is memory: the audit trail then lives in the API process only. ' +
        'Use GET /api/v1/audit/verify on the running API, or set GRAPH_BACKEND=janusgraph.\n',
    );
    return 1;
  }
  const app = await NestFactory.createApplicationContext(VerifyAuditModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const store = app.get(GraphStore);
    // A reader only: it records nothing, so its own (empty) chain is never written.
    const audit = new GraphAuditLog(store, new SystemClock(), { logger: new Logger('Audit') });
    const answer = await verifyAuditLog(audit, NO_LIMIT);
    process.stdout.write(`${describeAuditChainReport(answer)}\n`);
    if (answer.note !== undefined) process.stdout.write(`Note: ${answer.note}\n`);
    for (const chain of answer.chains) {
      process.stdout.write(
        `  chain ${chain.chainId}: ${chain.entries} entries, last seq ${chain.lastSeq}\n`,
      );
    }
    return answer.ok ? 0 : 1;
  } finally {
    await app.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `The audit trail could not be verified: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
