/**
 * The fault run (`npm run test:faults`): the server killed and stopped under load, the store made
 * unavailable, and the fuzz suite at 10,000 cases per target. Slower than `npm test`; CI runs both.
 */
const base = require("./jest.config");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ["<rootDir>/tests/faults/**/*.test.ts", "<rootDir>/tests/fuzz/**/*.test.ts"],
  testPathIgnorePatterns: [],
  // One server under load at a time: parallel files would measure each other.
  maxWorkers: 1,
  testTimeout: 300_000,
};
