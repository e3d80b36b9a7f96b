/** Browser tests: the real server and Debian's Chromium (playwright-core). `npm run test:e2e` */
const base = require("./jest.config");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"],
  testPathIgnorePatterns: [],
  // One browser and one server at a time: they are heavy, and parallel runs would only fight for CPU.
  maxWorkers: 1,
  testTimeout: 90_000,
};
