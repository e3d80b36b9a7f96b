/**
 * Real people in a real browser: Debian's Chromium driven by playwright-core (never a downloaded
 * browser). Each person is a browser context, so cookies and sockets are theirs alone.
 */
import { readFileSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { removeDatabase, startServer, type TestServer } from "../../support/server";

const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** How long any single wait on the page may take before the test fails. */
export const STEP_TIMEOUT_MS = 15_000;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface Person {
  username: string;
  context: BrowserContext;
  page: Page;
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  return page;
}

/** Opens the app in a fresh context and logs in (the first login claims the name). */
export async function logIn(
  browser: Browser,
  baseUrl: string,
  username: string,
  options: { password?: string; viewport?: { width: number; height: number } } = {},
): Promise<Person> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: options.viewport ?? DESKTOP });
  const page = await newPage(context);
  await page.goto("/");
  await fillLogin(page, username, options.password ?? "correct horse");
  await page.getByRole("button", { name: "Log out" }).waitFor();
  return { username, context, page };
}

export async function fillLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Types into the composer and presses Enter, as a person does. */
export async function typeAndSend(page: Page, text: string): Promise<void> {
  const composer = page.getByRole("textbox", { name: "Message", exact: true });
  await composer.fill(text);
  await composer.press("Enter");
}

export function personButton(page: Page, username: string) {
  return page.getByRole("navigation").getByRole("button", { name: username, exact: true });
}

export function conversationButton(page: Page, username: string) {
  return page.locator(`.conversation[data-peer="${username}"]`);
}

export function bubble(page: Page, text: string | RegExp) {
  return page.locator(".pane .bubble", { has: page.locator(".bubble-text", { hasText: text }) });
}

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
  server: TestServer;
  browser: Browser;
  /** People whose browser contexts are closed after each test. */
  people: Person[];
}

/**
 * One real server and one Chromium for a test file: started before its tests, the people's
 * contexts closed after each test, and both stopped (and the database removed) at the end.
 */
export function serverAndBrowserPerFile(): BrowserSuite {
  const suite = { people: [] as Person[] } as BrowserSuite;
  beforeAll(async () => {
    [suite.server, suite.browser] = await Promise.all([startServer(), launchBrowser()]);
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
