import type { Response } from 'express';

/** Characters kept in a download's file name; anything else becomes "_". */
function safeFileName(name: string): string {
  return [...name].map((c) => (/[A-Za-z0-9._-]/.test(c) ? c : '_')).join('');
}

/**
 * Marks the answer as a file download: Content-Type, and Content-Disposition with a plain
 * ASCII file name (ids may hold ":" or "/", which are replaced). Use with
 * `@Res({ passthrough: true })` and return the body.
 */
export function asDownload(response: Response, contentType: string, fileName: string): void {
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Disposition', `attachment; filename="${safeFileName(fileName)}"`);
}
