/**
 * What every test server runs with on top of the production defaults: readings fast enough to wait
 * for, and room for the many accounts a test file makes from one address (the sign-up limit has tests
 * of its own, which set it back).
 */
export const TEST_SERVER_ENV: Record<string, string> = {
  THERMOMETER_INTERVAL_MS: "100",
  SIGNUPS_PER_ADDRESS: "100000",
};
