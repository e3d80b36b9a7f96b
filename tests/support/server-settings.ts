/**
 * What every test server runs with on top of the production defaults: readings fast enough to wait
 * for, and room for the many accounts, logins and sockets a test file makes from one address,
 * 127.0.0.1 (the sign-up limit and the per-address budgets have tests of their own, which set them back:
 * tests/integration/login-throttle.test.ts, tests/integration/address-limits.test.ts, tests/faults/abuse.test.ts).
 */
export const TEST_SERVER_ENV: Record<string, string> = {
  THERMOMETER_INTERVAL_MS: "100",
  SIGNUPS_PER_ADDRESS: "100000",
  ACCOUNT_REQUESTS_PER_ADDRESS: "1000000,1000000",
  CONNECTS_PER_ADDRESS: "1000000,1000000",
};
