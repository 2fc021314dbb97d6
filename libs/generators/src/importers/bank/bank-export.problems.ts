import { InvalidInputError } from '@app/vocabulary';
import { StopReading } from './bank-export.files';

/** One thing wrong in a bank export: the file, the line (1 = first line, header included), the field and the rule. */
export interface BankExportProblem {
  file: string;
  line: number;
  field: string;
  rule: string;
}

/** Where a record came from. */
export interface SourceLine {
  file: string;
  line: number;
}

/** Default number of problems collected before reading stops. */
export const DEFAULT_MAX_PROBLEMS = 50;

/**
 * The export was refused: nothing was written. `located` lists every problem found (up to the
 * limit), each with its file, line, field and rule; the message shows them one per line.
 */
export class BankExportInvalidError extends InvalidInputError {
  constructor(
    readonly located: readonly BankExportProblem[],
    readonly stoppedEarly: boolean,
  ) {
    super(
      `The bank export has ${stoppedEarly ? `at least ${located.length}` : located.length} ` +
        `problem${located.length === 1 ? '' : 's'}${stoppedEarly ? ' (reading stopped there)' : ''}; ` +
        `nothing was imported. Fix them and run again:\n` +
        located.map((p) => `  ${formatProblem(p)}`).join('\n'),
      located.map((p) => ({ field: `${p.file} line ${p.line}: ${p.field}`, rule: p.rule })),
    );
  }
}

/** One problem as a line of text; line 0 stands for the file as a whole (it cannot be read). */
export function formatProblem(p: BankExportProblem): string {
  return `${p.file}${p.line > 0 ? ` line ${p.line}` : ''}: ${p.field} ${p.rule}`;
}

/** Collects problems; throws `StopReading` once `max` are collected so that readers stop. */
export class ProblemCollector {
  readonly problems: BankExportProblem[] = [];
  stoppedEarly = false;

  constructor(private readonly max: number = DEFAULT_MAX_PROBLEMS) {}

  add(at: SourceLine, field: string, rule: string): void {
    this.problems.push({ file: at.file, line: at.line, field, rule });
    if (this.problems.length >= this.max) {
      this.stoppedEarly = true;
      throw new StopReading(`stopped after ${this.max} problems`);
    }
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  /** Throws the refusal when anything was found. */
  refuseIfAny(): void {
    if (this.problems.length > 0)
      throw new BankExportInvalidError(this.problems, this.stoppedEarly);
  }
}
