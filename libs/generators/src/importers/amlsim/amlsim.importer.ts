import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../csv-rows.reader';
import type { ImportRun } from '../import-chunk';
import { ImportFormatError } from '../import-format.error';
import { importAmlsimNewSchema, AMLSIM_NEW_FILES } from './amlsim-new-schema.importer';
import { importAmlsimOldSchema, AMLSIM_OLD_FILES } from './amlsim-old-schema.importer';
import { AmlsimRun, type AmlsimImportOptions, type AmlsimImportSummary } from './amlsim-run';

/** Which AMLSim output schema a folder holds, from the name of its transactions file. */
export function detectAmlsimSchema(dir: string): 'new' | 'old' {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (error) {
    throw new ImportFormatError(dir, undefined, `cannot be read (${describeError(error)})`, 'dir', {
      cause: error,
    });
  }
  if (!isDir) throw new ImportFormatError(dir, undefined, 'is not a folder', 'dir');
  if (existsSync(join(dir, AMLSIM_NEW_FILES.transactions))) return 'new';
  if (existsSync(join(dir, AMLSIM_OLD_FILES.transactions))) return 'old';
  throw new ImportFormatError(
    dir,
    undefined,
    `holds neither ${AMLSIM_NEW_FILES.transactions} (AMLSim's newer schema) nor ${AMLSIM_OLD_FILES.transactions} (its old schema)`,
    'dir',
  );
}

/**
 * Imports an IBM AMLSim output folder (either schema, detected from the files) into the
 * product's graph model: one Account vertex per account, one TRANSFERRED edge per transaction
 * (`ids.movement('amlsim', <transaction id>)`), and one ground-truth record per alert
 * (typology from the alert type; `decoy` for AMLSim's false alerts, whose transactions are not
 * SAR). Transactions are streamed; accounts and alert files are held as maps.
 */
export async function* importAmlsim(options: AmlsimImportOptions): ImportRun<AmlsimImportSummary> {
  const schema = detectAmlsimSchema(options.dir);
  const run = new AmlsimRun(options, AmlsimRun.emptySummary(schema));
  if (schema === 'new') {
    yield* importAmlsimNewSchema(run, options.dir);
  } else {
    yield* importAmlsimOldSchema(run, options.dir);
  }
  if (!run.buffer.isEmpty) yield run.buffer.take();
  return run.finish();
}
