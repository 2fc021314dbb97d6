export {
  BANK_EXCHANGE_VERSION,
  BANK_RECORD_TYPES,
  BankSchemaValidator,
  bankFields,
  bankSchemaPath,
  isBankRecordType,
  type BankRecordType,
} from './bank-exchange.schemas';
export { decimalToMinor, percentToBp, bpToPercent, isoDateTimeToMs } from './bank-exchange.values';
export {
  bankExportFolder,
  planBankFiles,
  type BankExportFile,
  type BankFileFormat,
} from './bank-export.files';
export {
  BankExportInvalidError,
  DEFAULT_MAX_PROBLEMS,
  formatProblem,
  type BankExportProblem,
} from './bank-export.problems';
export {
  DEFAULT_BANK_ID,
  importBankExport,
  importBankExportFolder,
  parseBankExport,
  type BankImportOptions,
  type BankImportSummary,
  type ParsedBankExport,
} from './bank-export.importer';
