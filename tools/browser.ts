/**
 * Real people in a real browser: Debian's Chromium driven by playwright-core (never a downloaded
 * browser). Each person is a browser context, so cookies and sockets are theirs alone. Used by the
 * browser tests and by `npm run screenshots`.
 */
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

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
