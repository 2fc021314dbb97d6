// Every test run must use UTC (the npm scripts set TZ=UTC); fail loudly otherwise.
if (new Date(Date.UTC(2025, 0, 1)).getTimezoneOffset() !== 0) {
  throw new Error('Tests must run with TZ=UTC; use the npm test scripts, which set it.');
}
