export {
  collectImport,
  ChunkBuffer,
  DEFAULT_CHUNK_SIZE,
  type CollectedImport,
  type ImportChunk,
  type ImportedFile,
  type ImportRun,
  type ImportSummary,
} from './import-chunk';
export { ImportFormatError } from './import-format.error';
export {
  importAmlworld,
  type AmlworldImportOptions,
  type AmlworldImportSummary,
} from './amlworld/amlworld.importer';
export {
  AMLWORLD_ACCOUNT_DEFAULTS,
  AMLWORLD_HEADER,
  type ImportedAccountDefaults,
} from './amlworld/amlworld-row.parser';
export {
  AMLWORLD_CHANNELS,
  AMLWORLD_CURRENCIES,
  AMLWORLD_TYPOLOGIES,
} from './amlworld/amlworld.mapping';
export { importAmlsim, detectAmlsimSchema } from './amlsim/amlsim.importer';
export {
  type AmlsimImportOptions,
  type AmlsimImportSummary,
  DEFAULT_STEP_EPOCH,
} from './amlsim/amlsim-run';
export { AMLSIM_CHANNELS, AMLSIM_TYPOLOGIES } from './amlsim/amlsim.mapping';
