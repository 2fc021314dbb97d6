import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppSettings } from '@app/settings';
import { InvalidInputError } from '@app/vocabulary';
import { API_V1 } from './api-prefix';

/** The imports route, which reads its own media types. */
const IMPORTS_PATH = `/${API_V1}/imports`;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text nests objects and arrays deeper than `maxDepth`, found by one pass over the
 * raw text before it is parsed (brackets inside strings do not count). Works on UTF-8 bytes:
 * no byte of a multi-byte character is an ASCII bracket or quote. Text that is not valid JSON
 * is left to the parser to refuse.
 */
export function nestsDeeperThan(text: Uint8Array | string, maxDepth: number): boolean {
  const at =
    typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i] ?? 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = at(i);
    if (inString) {
      if (code === BACKSLASH) i += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

function textOf(body: Buffer, encoding: string): Uint8Array | string {
  if (encoding === 'utf-8' || encoding === 'utf8') return body;
  try {
    return new TextDecoder(encoding).decode(body);
  } catch {
    return body;
  }
}

/**
 * The request body parsers: JSON and URL-encoded forms up to `BODY_LIMIT` (after gzip or
 * deflate is undone), JSON nested at most `BODY_MAX_DEPTH` levels, checked on the raw text so
 * that an over-deep body never reaches the parser or class-transformer. Oversized bodies are
 * answered 413, over-deep ones 400, both in the one error shape (DomainExceptionFilter).
 * Forms are parsed flat (`extended: false`): no route takes nested form fields.
 */
export function useBodyParsers(
  app: NestExpressApplication,
  settings: Pick<AppSettings, 'bodyLimit' | 'bodyMaxDepth'>,
): void {
  const maxDepth = settings.bodyMaxDepth;
  app.useBodyParser('json', {
    limit: settings.bodyLimit,
    verify: (
      _request: IncomingMessage,
      _response: ServerResponse,
      body: Buffer,
      encoding: string,
    ) => {
      if (nestsDeeperThan(textOf(body, encoding), maxDepth)) {
        throw new InvalidInputError(
          `The request body nests objects or arrays more than ${maxDepth} levels deep (setting BODY_MAX_DEPTH).`,
          [
            {
              field: '(body)',
              rule: `must not nest objects or arrays more than ${maxDepth} levels deep`,
            },
          ],
        );
      }
    },
  });
  // Right behind the JSON parser: Nest would turn its SyntaxError into a bare 400 whose text
  // ("null … is not valid JSON") misleads; this names the body and the rule instead.
  app.use((error: unknown, _request: unknown, _response: unknown, next: (e: unknown) => void) => {
    next(isJsonParseError(error) ? jsonParseProblem(error) : error);
  });
  app.useBodyParser('urlencoded', { limit: settings.bodyLimit, extended: false });
  app.use(refuseUnreadBodies);
}

/** Media types whose bodies the parsers above read. */
const READ_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/x-www-form-urlencoded',
]);

/**
 * A body the parsers above do not read (text/plain, a CSV, no Content-Type) would reach a
 * route as no body at all, and the caller would be told that its fields are missing ("statements
 * is required" for a whole BODS package sent as text/plain, an outside review found). It is
 * refused with 415 naming the type instead. The imports route reads its own types (multipart
 * and JSON lines) and answers 415 itself for others.
 */
function refuseUnreadBodies(
  request: IncomingMessage & { path?: string },
  _response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  const hasBody =
    request.headers['transfer-encoding'] !== undefined ||
    (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');
  // Express matches routes in any case (/API/V1/Imports is the imports route too).
  if (!hasBody || request.path?.toLowerCase().startsWith(IMPORTS_PATH) === true) {
    next();
    return;
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (READ_MEDIA_TYPES.has(type)) {
    next();
    return;
  }
  next(
    new UnsupportedMediaTypeException(
      `${type === '' ? 'A request body without a Content-Type' : `Content-Type ${type}`} is not taken here: send the body as JSON with the header Content-Type: application/json`,
    ),
  );
}

/** body-parser's error for a JSON body it could not parse (malformed, or a bare value). */
function isJsonParseError(error: unknown): error is SyntaxError {
  return (
    error instanceof SyntaxError && (error as { type?: unknown }).type === 'entity.parse.failed'
  );
}

function jsonParseProblem(error: SyntaxError): InvalidInputError {
  return new InvalidInputError(
    `The request body must be a JSON object: it is not valid JSON, or it is a bare value such as a string, a number or null (the parser said: ${error.message}).`,
    [{ field: '(body)', rule: 'must be a JSON object' }],
  );
}
