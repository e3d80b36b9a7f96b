/** Several instances: Debian's redis-server and nginx with real chat instances (tests/cluster). `npm run test:cluster` */
const base = require("./jest.config");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ["<rootDir>/tests/cluster/**/*.test.ts"],
  testPathIgnorePatterns: [],
  // Each file runs a whole cluster; one at a time on a small machine.
  maxWorkers: 1,
  testTimeout: 120_000,
};
