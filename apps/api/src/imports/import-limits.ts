import { Module } from '@nestjs/common';

const MIB = 1024 * 1024;

/**
 * Bounds of the import endpoint. They are fixed here rather than settings: an import larger
 * than this belongs in a folder (`APP_DATA_DIR`, or `seeder import bank --sink graph`), not in
 * one HTTP request. Tests replace the provider to try the limits with small bodies.
 */
export class ImportLimits {
  /** Largest file of a multipart upload, in bytes (413 above). */
  maxFileBytes = 64 * MIB;
  /** Most files in one multipart upload (one per record type, plus mixed JSON-lines files). */
  maxFiles = 20;
  /** Largest JSON-lines request body, in bytes (413 above). */
  maxBodyBytes = 64 * MIB;
  /** Finished jobs kept for `GET /imports/{jobId}`; the oldest finished one goes first. */
  keptJobs = 20;
  /** Problems collected before validation stops and the import is refused. */
  maxProblems = 50;
}

/** Provides {@link ImportLimits} (also to the multer options factory). */
@Module({
  providers: [{ provide: ImportLimits, useValue: new ImportLimits() }],
  exports: [ImportLimits],
})
export class ImportLimitsModule {}

/** `64 MiB` for a newcomer reading an error message. */
export function describeBytes(bytes: number): string {
  if (bytes >= MIB && bytes % MIB === 0) return `${bytes / MIB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
