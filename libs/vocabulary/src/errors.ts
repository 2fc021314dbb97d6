import type { FieldProblem } from './schema';

/**
 * Typed domain errors. Libraries throw these, never HTTP exceptions; the API maps each
 * `code` to one HTTP status and one error body shape.
 */
export abstract class DomainError extends Error {
  abstract readonly code:
    | 'not_found'
    | 'invalid_input'
    | 'batch_rejected'
    | 'conflict'
    | 'graph_unavailable'
    | 'graph_timeout'
    | 'stream_unavailable'
    | 'forbidden';
  constructor(
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class EntityNotFoundError extends DomainError {
  readonly code = 'not_found';
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind} "${id}" was not found`, { kind, id });
  }
}

export class InvalidInputError extends DomainError {
  readonly code = 'invalid_input';
  constructor(
    message: string,
    readonly problems: readonly FieldProblem[],
  ) {
    super(message, { problems });
  }
}

/** One rejected item of a batch: its position, its business id and what is wrong. */
export interface RejectedItem {
  index: number;
  id: string;
  problems: readonly FieldProblem[];
}

/** Nothing of the batch was written; every bad item is listed. */
export class BatchRejectedError extends DomainError {
  readonly code = 'batch_rejected';
  constructor(
    readonly rejected: readonly RejectedItem[],
    total: number,
  ) {
    super(
      `${rejected.length} of ${total} items are invalid, so nothing was written: ` +
        rejected
          .slice(0, 5)
          .map(
            (r) =>
              `#${r.index} ${r.id}: ${r.problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
          )
          .join(' | ') +
        (rejected.length > 5 ? ` (and ${rejected.length - 5} more)` : ''),
      { rejected },
    );
  }
}

export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

export class GraphUnavailableError extends DomainError {
  readonly code = 'graph_unavailable';
}

export class GraphTimeoutError extends DomainError {
  readonly code = 'graph_timeout';
}

export class StreamUnavailableError extends DomainError {
  readonly code = 'stream_unavailable';
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}
