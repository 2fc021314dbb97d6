import {
  BadRequestException,
  CallHandler,
  CanActivate,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { catchError, Observable, throwError } from 'rxjs';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
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

/** The `Content-Encoding` values a JSON-lines body may have, and how each is decoded. */
const BODY_DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * The decoder of a body sent with `contentEncoding` (a request's Content-Encoding header), or
 * undefined for a body sent as it is (no header, or `identity`). Any other encoding is refused
 * with 415, naming the ones taken: reading compressed bytes as text would only fail later with
 * a misleading error about the text.
 */
function bodyDecoder(contentEncoding: string | undefined): Transform | undefined {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return undefined;
  const create = Object.hasOwn(BODY_DECODERS, encoding) ? BODY_DECODERS[encoding] : undefined;
  if (create === undefined) {
    throw new UnsupportedMediaTypeException(
      `Content-Encoding "${contentEncoding ?? ''}" is not taken: send the JSON-lines body as it is, or compressed with one of ${Object.keys(BODY_DECODERS).join(', ')} (one encoding, e.g. curl --data-binary @bank.jsonl.gz -H 'Content-Encoding: gzip').`,
    );
  }
  return create();
}

function bodyTooLarge(maxBytes: number, compressed: boolean): PayloadTooLargeException {
  return new PayloadTooLargeException(
    `The JSON-lines body is larger than ${describeBytes(maxBytes)}${compressed ? ' once decompressed' : ''}, the most one import request may hold. ` +
      'Send it in parts (one import after the other), or load a larger export from a folder: ' +
      'APP_DATA_DIR at the API start, or `npm run seed -- import bank --dir <folder> --sink graph`.',
  );
}

/** Reads and drops what is left of a request, so that the client gets the answer. */
async function drain(request: Readable): Promise<void> {
  for await (const chunk of request as AsyncIterable<unknown>) void chunk;
}

/**
 * Reads a request body without parsing it, up to `maxBytes`. Above the limit the rest is read
 * and dropped (so the client gets the answer instead of a reset connection) and 413 follows.
 * A body with a `contentEncoding` (gzip, deflate, br) is decompressed as it comes, and the
 * limit counts the decompressed bytes: once they pass it, the rest is dropped without being
 * decompressed (a small compressed body cannot make the server inflate gigabytes). A body that
 * does not decompress is refused with 400.
 */
export async function readBoundedBody(
  request: Readable,
  maxBytes: number,
  contentEncoding?: string,
): Promise<Uint8Array[]> {
  const decoder = bodyDecoder(contentEncoding);
  if (decoder !== undefined) return readCompressedBody(request, decoder, maxBytes, contentEncoding);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.byteLength;
    if (total <= maxBytes) chunks.push(bytes);
  }
  if (total > maxBytes) throw bodyTooLarge(maxBytes, false);
  return chunks;
}

async function readCompressedBody(
  request: Readable,
  decoder: Transform,
  maxBytes: number,
  contentEncoding: string | undefined,
): Promise<Uint8Array[]> {
  let requestFailed = false;
  request.once('error', (error: Error) => {
    requestFailed = true;
    decoder.destroy(error);
  });
  request.pipe(decoder);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of decoder as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        request.unpipe(decoder);
        break;
      }
      chunks.push(chunk);
    }
  } catch (error: unknown) {
    if (requestFailed) throw error;
    request.unpipe(decoder);
    await drain(request);
    const detail = error instanceof Error ? error.message : String(error);
    throw new BadRequestException(
      `The body is not valid ${String(contentEncoding).trim().toLowerCase()} data, as its Content-Encoding says it is (${detail}). Compress the whole JSON-lines file once, or send it as it is without Content-Encoding.`,
    );
  }
  if (total > maxBytes) {
    await drain(request);
    throw bodyTooLarge(maxBytes, true);
  }
  return chunks;
}
