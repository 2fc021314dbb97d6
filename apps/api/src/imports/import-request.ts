import {
  BadRequestException,
  CallHandler,
  CanActivate,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  PayloadTooLargeException,
} from '@nestjs/common';
import { catchError, Observable, throwError } from 'rxjs';
import type { Readable } from 'node:stream';
import { ImportJobsService } from './import-jobs.service';
import { describeBytes, ImportLimits } from './import-limits';

/** The multipart field that carries the files. */
export const FILES_FIELD = 'files';
/** Content types of a JSON-lines body. */
export const JSON_LINES_TYPES = ['application/x-ndjson', 'application/jsonl'];

/** An uploaded file as multer's memory storage hands it over. */
export interface UploadedImportFile {
  fieldname: string;
  originalname: string;
  size: number;
  buffer: Buffer;
}

/**
 * Answers 409 before an upload is received when an import is running, so a second upload is
 * not read for nothing. (The service checks again when the job starts.)
 */
@Injectable()
export class ImportSlotGuard implements CanActivate {
  constructor(private readonly jobs: ImportJobsService) {}

  canActivate(): boolean {
    this.jobs.assertIdle();
    return true;
  }
}

/** Replaces multer's terse limit errors ("File too large") with ones that say the limit and what to do. */
@Injectable()
export class UploadErrorsInterceptor implements NestInterceptor {
  constructor(private readonly limits: ImportLimits) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(catchError((error: unknown) => throwError(() => this.explain(error))));
  }

  private explain(error: unknown): unknown {
    if (error instanceof PayloadTooLargeException && error.message === 'File too large') {
      return new PayloadTooLargeException(
        `An uploaded file is larger than ${describeBytes(this.limits.maxFileBytes)}, the most one file of an import may hold. ` +
          'Split it (several JSON-lines files are fine), or load a larger export from a folder: ' +
          'APP_DATA_DIR at the API start, or `npm run seed -- import bank --dir <folder> --sink graph`.',
      );
    }
    if (error instanceof BadRequestException && error.message.startsWith('Too many files')) {
      return new BadRequestException(
        `An import takes at most ${this.limits.maxFiles} files: one per record type (persons.csv, movements.csv ...) ` +
          'or JSON-lines files whose lines carry a "type".',
      );
    }
    if (error instanceof BadRequestException && error.message.startsWith('Unexpected file field')) {
      return new BadRequestException(
        `Send every file in the multipart field "${FILES_FIELD}" (curl: -F ${FILES_FIELD}=@persons.csv -F ${FILES_FIELD}=@movements.csv).`,
      );
    }
    return error;
  }
}

/**
 * Reads a request body without parsing it, up to `maxBytes`. Above the limit the rest is read
 * and dropped (so the client gets the answer instead of a reset connection) and 413 follows.
 */
export async function readBoundedBody(request: Readable, maxBytes: number): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.byteLength;
    if (total <= maxBytes) chunks.push(bytes);
  }
  if (total > maxBytes) {
    throw new PayloadTooLargeException(
      `The JSON-lines body is larger than ${describeBytes(maxBytes)}, the most one import request may hold. ` +
        'Send it in parts (one import after the other), or load a larger export from a folder: ' +
        'APP_DATA_DIR at the API start, or `npm run seed -- import bank --dir <folder> --sink graph`.',
    );
  }
  return chunks;
}
