/** @type {import('jest').Config} */
const swc = [
  "@swc/jest",
  { jsc: { parser: { syntax: "typescript", tsx: true }, target: "es2022" }, module: { type: "commonjs" } },
];

module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.(t|j)sx?$": swc },
  moduleNameMapper: { "^@/(.*)$": "<rootDir>/$1" },
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/tests/e2e/"],
  globalSetup: "<rootDir>/tests/support/global-setup.ts",
  testTimeout: 30_000,
};

// Every server the suites start sees its clients at one address (127.0.0.1), so the per-address sign-up limit
// (10 an hour) would refuse most of the people they create. The servers inherit this; the tests of the limit set
// their own (tests/integration/login-throttle.test.ts).
process.env.SIGNUPS_PER_ADDRESS ??= "100000";
