export { FxRateTable, parseRate, type DatedRate, type ExactRate } from './fx-rate-table';
export { DatedRateMoney } from './dated-rate-money';
export {
  SHIPPED_FX_RATE_SOURCES,
  SHIPPED_FX_TABLE_NAME,
  readFxRateTable,
  shippedBaseMoney,
  shippedFxRateTable,
} from './shipped-fx-rates';
