/** What every test server runs with on top of the production defaults: readings fast enough to wait for. */
export const TEST_SERVER_ENV: Record<string, string> = { THERMOMETER_INTERVAL_MS: "100" };
