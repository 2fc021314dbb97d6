import { Inject, Injectable, Optional } from '@nestjs/common';
import { GraphStore, Subgraph } from '@app/graph-store';
import { DetectorsConfig, detectorsSettings, UboConfig, uboSettings } from '@app/settings';
import { Clock, SystemClock } from '@app/vocabulary';
import { exportBodsStatements } from './bods/bods-export';
import { BodsImportNote, findBodsTarget, importBodsStatements } from './bods/bods-import';
import type { BodsStatement } from './bods/bods.types';
import { computeOwnership, UboLimits } from './core/compute-ownership';
import { buildOwnershipNetwork, OwnershipNetwork } from './ownership-network';
import { resolveUboOptions } from './regimes';
import type { ResolvedUboOptions, UboAnswer, UboRequestOptions } from './ubo.types';

/** An answer computed from BODS statements, with what the import made of them. */
export interface UboEvaluation extends UboAnswer {
  bods: {
    /** The recordId of the company evaluated. */
    targetRecordId: string;
    statements: number;
    records: number;
    replaced: number;
    later: number;
    closedRecords: number;
    notes: BodsImportNote[];
  };
}

/** The deepest read the graph stores allow (maxDepth is at most this, see resolveUboOptions). */
const STORE_DEPTH_LIMIT = 100;

/** Work limits for interactive requests (see UboLimits). */
export const UBO_LIMITS = Symbol('UBO_LIMITS');

function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/**
 * Beneficial ownership over the graph store and over BODS statements. Reads the structure
 * above a company in one round trip (`getOwnershipSubgraph`) and hands it to the pure core
 * (`computeOwnership`); the BODS path imports statements in memory and never stores them.
 */
@Injectable()
export class UboService {
  private readonly clock: Clock;

  constructor(
    private readonly store: GraphStore,
    @Inject(uboSettings.KEY) private readonly config: UboConfig,
    @Optional() @Inject(detectorsSettings.KEY) private readonly detectors?: DetectorsConfig,
    @Optional() clock?: Clock,
    @Optional() @Inject(UBO_LIMITS) private readonly limits?: UboLimits,
  ) {
    this.clock = clock ?? new SystemClock();
  }

  /** The request's options over the settings; `asOf` defaults to today (UTC). */
  resolveOptions(request: UboRequestOptions = {}): ResolvedUboOptions {
    return resolveUboOptions(
      this.config,
      { ...request, asOf: request.asOf ?? isoDate(this.clock.now()) },
      { highRiskJurisdictions: this.detectors?.highRiskJurisdictions ?? [] },
    );
  }

  /** Who owns and controls a company of the graph. EntityNotFoundError when it is unknown. */
  async forCompany(companyUid: string, request: UboRequestOptions = {}): Promise<UboAnswer> {
    const { answer } = await this.compute(companyUid, request);
    return answer;
  }

  /** The structure above a company with shares and roles, for drawing. */
  async network(companyUid: string, request: UboRequestOptions = {}): Promise<OwnershipNetwork> {
    const { answer, subgraph } = await this.compute(companyUid, request);
    return buildOwnershipNetwork(subgraph, answer);
  }

  /** The answer for a company of the graph, written as BODS 0.4 statements. */
  async asBods(companyUid: string, request: UboRequestOptions = {}): Promise<BodsStatement[]> {
    const { answer, subgraph } = await this.compute(companyUid, request);
    const today = isoDate(this.clock.now());
    return exportBodsStatements(answer, subgraph, {
      publicationDate: today,
      statementDate: answer.options.asOf ?? today,
    });
  }

  /**
   * Evaluates BODS statements without storing anything. `companyId` is the recordId or
   * statementId of the target entity; without it, the single root of the statements.
   * Invalid statements are refused with InvalidInputError naming each field and rule.
   */
  evaluate(
    statements: unknown,
    companyId?: string,
    request: UboRequestOptions = {},
  ): UboEvaluation {
    const options = this.resolveOptions(request);
    const imported = importBodsStatements(statements, { strict: true, asOf: options.asOf });
    const targetUid = findBodsTarget(imported, companyId);
    const subgraph: Subgraph = { vertices: imported.vertices, edges: imported.edges };
    const answer = computeOwnership(subgraph, targetUid, options, {
      hints: {
        unidentified: imported.unidentified,
        unspecifiedParties: imported.unspecifiedParties,
        summaryEdges: imported.summaryEdges,
      },
      completeData: true,
      ...(this.limits ? { limits: this.limits } : {}),
    });
    const targetRecordId =
      Object.entries(imported.recordUids).find(([, uid]) => uid === targetUid)?.[0] ?? targetUid;
    return {
      ...answer,
      bods: { targetRecordId, ...imported.stats, notes: imported.notes },
    };
  }

  private async compute(
    companyUid: string,
    request: UboRequestOptions,
  ): Promise<{ answer: UboAnswer; subgraph: Subgraph }> {
    const options = this.resolveOptions(request);
    // One layer more than the answer uses, so that the depth limit is reported only where it
    // cut real holders (and the BODS export can show them).
    const layers = Math.min(options.maxDepth + 1, STORE_DEPTH_LIMIT);
    const subgraph = await this.store.getOwnershipSubgraph(companyUid, layers);
    const answer = computeOwnership(subgraph, companyUid, options, {
      ...(this.limits ? { limits: this.limits } : {}),
      completeData: layers > options.maxDepth,
    });
    return { answer, subgraph };
  }
}
