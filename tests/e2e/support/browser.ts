/** The browser tests' own helpers, on top of the page helpers in tools/browser.ts. */
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, type Person } from "../../../tools/browser";
import { removeDatabase, startTestServerProcess, type ServerProcess } from "../../support/server-process";

export * from "../../../tools/browser";

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page and returns the serious and critical violations. */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through DevTools: a script tag added to the page would be blocked by its CSP, as it should be.
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run(document);
    return result.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
}

export interface BrowserSuite {
  server: ServerProcess;
  browser: Browser;
  /** People whose browser contexts are closed after each test. */
  people: Person[];
}

/**
 * One real server and one Chromium for a test file: started before its tests, the people's
 * contexts closed after each test, and both stopped (and the database removed) at the end. The
 * server is a child process, as `npm start` runs it: these tests are the whole product from the
 * outside, and the restart test stops it the way people do.
 */
export function serverAndBrowserPerFile(): BrowserSuite {
  const suite = { people: [] as Person[] } as BrowserSuite;
  beforeAll(async () => {
    [suite.server, suite.browser] = await Promise.all([startTestServerProcess(), launchBrowser()]);
  });
  afterEach(async () => {
    await Promise.all(suite.people.splice(0).map((person) => person.context.close()));
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
    if (suite.server) removeDatabase(suite.server.databaseFile);
  });
  return suite;
}
