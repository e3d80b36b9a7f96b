/** @type {import('jest').Config} */
const swc = [
  "@swc/jest",
  { jsc: { parser: { syntax: "typescript", tsx: true }, target: "es2022" }, module: { type: "commonjs" } },
];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const buildDir = process.env.NEXT_DIST_DIR || ".next";

module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.(t|j)sx?$": swc },
  // The in-process server loads Next and the route handlers of the build through Jest's module
  // registry; both are finished JavaScript, which compiling again would only slow down or change.
  transformIgnorePatterns: ["/node_modules/", `^<rootDir>/${escapeRegExp(buildDir)}/`],
  moduleNameMapper: { "^@/(.*)$": "<rootDir>/$1" },
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // The browser tests, the fault run and the cluster tests have commands of their own
  // (npm run test:e2e, npm run test:faults, npm run test:cluster).
  testPathIgnorePatterns: ["/tests/e2e/", "/tests/faults/", "/tests/cluster/"],
  globalSetup: "<rootDir>/tests/support/global-setup.ts",
  testTimeout: 30_000,
};

// Every server the suites start sees its clients at one address (127.0.0.1), so the per-address sign-up limit
// (10 an hour) would refuse most of the people they create, and the edge's per-address budgets of logins and
// handshakes most of their logins and sockets. The servers inherit this (tests/support/server-settings.ts says the
// same); the tests of the limits set their own (tests/integration/login-throttle.test.ts,
// tests/integration/address-limits.test.ts).
process.env.SIGNUPS_PER_ADDRESS ??= "100000";
process.env.ACCOUNT_REQUESTS_PER_ADDRESS ??= "1000000,1000000";
process.env.CONNECTS_PER_ADDRESS ??= "1000000,1000000";
