/** Multi-token under which every detector (rule) is registered; inject as `Detector[]`. */
export const DETECTORS = Symbol('DETECTORS');

/** Token of the `BaseMoney` (FX conversion into the base currency) that rules compare amounts in. */
export const BASE_MONEY = Symbol('BASE_MONEY');
