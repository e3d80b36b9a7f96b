/** The page itself: login, accessibility, phone width, and how much JavaScript the chat page loads. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { login as claimName, uniqueName } from "../support/clients";
import {
  bubble,
  DESKTOP,
  fillLogin,
  logIn,
  newPage,
  personButton,
  PHONE,
  seriousAccessibilityViolations,
  typeAndSend,
  type Person,
  serverAndBrowserPerFile,
} from "./support/browser";

const suite = serverAndBrowserPerFile();

async function person(name = uniqueName("p"), viewport = DESKTOP): Promise<Person> {
  const someone = await logIn(suite.browser, suite.server.url, name, { viewport });
  suite.people.push(someone);
  return someone;
}

test("the login form shows the server's error, has no serious accessibility problems, and the session survives a reload", async () => {
  const taken = await claimName(suite.server.url, uniqueName("taken"), "the real password");
  const context = await suite.browser.newContext({ baseURL: suite.server.url, viewport: DESKTOP });
  suite.people.push({ username: taken.username, context, page: await newPage(context) });
  const page = suite.people[0]!.page;
  await page.goto("/");
  await page.getByRole("button", { name: "Log in" }).waitFor();
  expect(await seriousAccessibilityViolations(page)).toEqual([]);

  await fillLogin(page, taken.username, "not the password");
  await page.getByRole("alert").filter({ hasText: "wrong username or password" }).waitFor();

  await fillLogin(page, taken.username, "the real password");
  await page.getByRole("button", { name: "Log out" }).waitFor();
  await page.reload();
  await page.getByRole("button", { name: "Log out" }).waitFor();
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("button", { name: "Log in" }).waitFor();
  await page.reload();
  await page.getByRole("button", { name: "Log in" }).waitFor();
});

test("when the signed-in view's script cannot be fetched, the page says so and a reload recovers", async () => {
  const someone = await claimName(suite.server.url, uniqueName("offline"), "the real password");
  const context = await suite.browser.newContext({ baseURL: suite.server.url, viewport: DESKTOP });
  suite.people.push({ username: someone.username, context, page: await newPage(context) });
  const page = suite.people[0]!.page;
  // Only the scripts the HTML names get through, as when a new build replaced the old one's files.
  const html = await (await fetch(`${suite.server.url}/`)).text();
  await context.route("**/_next/static/chunks/**", (route) =>
    html.includes(new URL(route.request().url()).pathname) ? route.continue() : route.abort(),
  );
  await page.goto("/");
  await fillLogin(page, someone.username, "the real password");
  await page.getByRole("alert").filter({ hasText: "Could not load the chat." }).waitFor();

  await context.unrouteAll();
  await page.getByRole("button", { name: "Reload" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
});

test("the chat page has no serious accessibility problems and can be used from the keyboard alone", async () => {
  const alice = await person();
  const bob = await person();
  await personButton(alice.page, bob.username).click();
  await typeAndSend(alice.page, "checking the page over");
  await bubble(alice.page, "checking the page over").waitFor();
  expect(await seriousAccessibilityViolations(alice.page)).toEqual([]);
  expect(await seriousAccessibilityViolations(bob.page)).toEqual([]);

  // Keyboard only: Tab to Alice in the people list, open the conversation, type and send.
  const page = bob.page;
  await page.locator("body").focus();
  for (let presses = 0; presses < 40; presses += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((name) => document.activeElement?.getAttribute("aria-label") === name, alice.username))
      break;
  }
  await page.keyboard.press("Enter");
  await page.locator(".pane-title", { hasText: alice.username }).waitFor();
  await page.getByRole("textbox", { name: "Message", exact: true }).focus();
  await page.keyboard.type("typed without a mouse");
  await page.keyboard.press("Enter");
  await bubble(alice.page, "typed without a mouse").waitFor();
});

test("at phone width the list and the conversation are separate screens with a back button", async () => {
  const alice = await person(uniqueName("p"), PHONE);
  const bob = await person();
  const page = alice.page;

  const conversationPane = page.locator(".pane");
  expect(await conversationPane.isVisible()).toBe(false);
  await personButton(page, bob.username).click();
  expect(await page.getByRole("navigation").isVisible()).toBe(false);
  expect(await focusedName(page)).toBe("Message"); // focus moved with the screen
  await typeAndSend(page, "hello from a phone");
  await bubble(page, "hello from a phone").locator('[data-receipt="delivered"], [data-receipt="read"]').waitFor();
  expect(await horizontalOverflow(page)).toBe(0);

  await page.getByRole("button", { name: "Back to conversations" }).click();
  await page.getByRole("navigation").getByText("hello from a phone").waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === "Conversations");
  expect(await conversationPane.isVisible()).toBe(false);
  expect(await page.getByRole("region", { name: "Thermometer" }).isVisible()).toBe(true);
  expect(await horizontalOverflow(page)).toBe(0);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
});

test("measures the JavaScript the chat page loads and records it in docs/page-weight.json", async () => {
  const alice = await person();
  const page = alice.page;
  // A fresh load of the signed-in page, with nothing cached.
  const fresh = await newPage(alice.context);
  const cdp = await alice.context.newCDPSession(fresh);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await page.close();
  await fresh.goto("/");
  await fresh.getByRole("button", { name: "Log out" }).waitFor();
  await fresh.waitForLoadState("networkidle");

  // The page's own scripts are named in its HTML; anything else was imported later (the signed-in
  // view, fetched while the session check runs, and the chart).
  const html = await (await fetch(`${suite.server.url}/`)).text();
  const scripts = await scriptResources(fresh);
  const initial = scripts.filter((s) => html.includes(new URL(s.name).pathname));
  const lazy = scripts.filter((s) => !initial.includes(s));
  expect(initial.length).toBeGreaterThan(0);
  // Next's and React's runtime, the same on every page of any app on this Next version: the part of
  // the initial figure the app's own code cannot shrink.
  const runtimeFiles = new Set(frameworkFiles());
  const runtime = initial.filter((s) => runtimeFiles.has(new URL(s.name).pathname));
  expect(runtime.length).toBeGreaterThan(0);
  const weight = {
    page: "/ (signed in, thermometer chart shown)",
    measuredAt: new Date().toISOString(),
    note: "transferred = what the browser received (the server compresses); gzip = each file gzipped here, for comparison",
    initial: await totals(initial),
    initialRuntime: await totals(runtime),
    lazilyLoaded: await totals(lazy),
    total: await totals(scripts),
  };
  expect(weight.total.decodedBodyBytes).toBeGreaterThan(0);
  for (const [label, part] of [
    ["initial", weight.initial],
    ["initial, Next and React runtime", weight.initialRuntime],
    ["lazy", weight.lazilyLoaded],
    ["total", weight.total],
  ] as const) {
    console.log(
      `Chat page JavaScript (${label}): ${part.scripts} scripts, ${part.transferredBytes} B transferred, ` +
        `${part.gzipBytes} B gzip, ${part.decodedBodyBytes} B uncompressed`,
    );
  }
  const file = path.resolve(__dirname, "..", "..", "docs", "page-weight.json");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(weight, null, 2)}\n`);
  await cdp.detach();
});

/** The build's root scripts (Next's client runtime and React), as the build manifest lists them. */
function frameworkFiles(): string[] {
  const distDir = path.resolve(__dirname, "..", "..", process.env.NEXT_DIST_DIR || ".next");
  const manifest = JSON.parse(readFileSync(path.join(distDir, "build-manifest.json"), "utf8")) as {
    rootMainFiles: string[];
  };
  return manifest.rootMainFiles.map((file) => `/_next/${file}`);
}

interface ScriptEntry {
  name: string;
  transferSize: number;
  encodedBodySize: number;
  decodedBodySize: number;
}

function scriptResources(page: Page): Promise<ScriptEntry[]> {
  return page.evaluate(() =>
    (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
      .filter((entry) => entry.initiatorType === "script" || /\.m?js(\?|$)/.test(new URL(entry.name).pathname))
      .map(({ name, transferSize, encodedBodySize, decodedBodySize }) => ({
        name,
        transferSize,
        encodedBodySize,
        decodedBodySize,
      })),
  );
}

/** What the file weighs gzip-compressed, whatever the server chose to send. */
async function gzippedSize(url: string): Promise<number> {
  const body = Buffer.from(await (await fetch(url)).arrayBuffer());
  return gzipSync(body).length;
}

async function totals(scripts: ScriptEntry[]) {
  return {
    scripts: scripts.length,
    transferredBytes: sum(scripts.map((s) => s.transferSize)),
    encodedBodyBytes: sum(scripts.map((s) => s.encodedBodySize)),
    decodedBodyBytes: sum(scripts.map((s) => s.decodedBodySize)),
    gzipBytes: sum(await Promise.all(scripts.map((s) => gzippedSize(s.name)))),
    files: scripts.map((s) => ({
      path: new URL(s.name).pathname,
      transferredBytes: s.transferSize,
      decodedBodyBytes: s.decodedBodySize,
    })),
  };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** The accessible label of the focused control, as its <label> gives it. */
function focusedName(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (document.activeElement as HTMLTextAreaElement | null)?.labels?.[0]?.textContent?.trim());
}

function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}
