import { basename } from 'node:path';
import { InvalidInputError } from '@app/vocabulary';

/**
 * A dataset file that cannot be imported: it cannot be read, or one of its rows breaks the
 * format. The message always names the file and, for a row, its line number (1 = first line of
 * the file, header included), so that a user can open the file at that line:
 *
 *   `HI-Small_Trans.csv line 17: column "Amount Paid" must be a decimal amount, got "12,5"`
 */
export class ImportFormatError extends InvalidInputError {
  constructor(
    /** The path as the caller gave it. */
    readonly file: string,
    /** 1-based line number of the offending row; undefined for problems with the whole file. */
    readonly line: number | undefined,
    readonly reason: string,
    /** The column or field at fault, when there is one. */
    readonly field: string = line === undefined ? 'file' : 'row',
    options?: { cause?: unknown },
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${basename(file)} line ${line}: ${reason}`, [
      { field, rule: reason },
    ]);
    if (options?.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
    }
  }
}
