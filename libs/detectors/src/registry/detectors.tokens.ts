/** Multi-token under which every detector (rule) is registered; inject as `Detector[]`. */
export const DETECTORS = Symbol('DETECTORS');
