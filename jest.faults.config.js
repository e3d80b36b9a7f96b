/**
 * The fault run (`npm run test:faults`): the server killed and stopped under load, the store made
 * unavailable (busy, full), floods from one client, and the fuzz suite at 10,000 cases per target.
 * Slower than `npm test`; CI runs both. The script runs it in two parts: FAULT_PART=timed (the files
 * whose figures are timings, one at a time: parallel files would measure each other), then
 * FAULT_PART=fuzz (the socket and HTTP fuzz files side by side, each with its own server).
 */
const base = require("./jest.config");

const TIMED = ["<rootDir>/tests/faults/**/*.test.ts"];
const FUZZ = ["<rootDir>/tests/fuzz/**/*.test.ts"];
const part = process.env.FAULT_PART;

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: part === "timed" ? TIMED : part === "fuzz" ? FUZZ : [...TIMED, ...FUZZ],
  testPathIgnorePatterns: [],
  maxWorkers: part === "fuzz" ? 2 : 1,
  testTimeout: 300_000,
};
