/**
 * The README's first command, as a new user runs it: `npm run dev` on a fresh data folder, then two people in
 * Chromium log in and chat. Every other browser test runs the production build; this one is the development server
 * with its hot reload, which once served a page that never hydrated (its hot-reload socket was never answered).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { type ListeningProcess, startListening } from "../../tools/processes";
import {
  bubble,
  conversationButton,
  launchBrowser,
  logIn,
  type Person,
  personButton,
  typeAndSend,
} from "./support/browser";

/** A cold development compile of the page on two cores takes a while; this bounds the whole start. */
const DEV_START_TIMEOUT_MS = 120_000;
const JEST_ONLY_SETTINGS = ["NODE_ENV", "SIGNUPS_PER_ADDRESS", "ACCOUNT_REQUESTS_PER_ADDRESS", "CONNECTS_PER_ADDRESS"];

let scratch: string | undefined;
let server: ListeningProcess;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "chat-dev-"));
  const dataFolder = path.join(scratch, "data"); // does not exist yet: the first start creates it, as on a fresh clone
  const env = {
    ...process.env,
    // The only settings that differ from the README's command: a free port, the fresh data folder, and a build
    // folder of its own, so a developer's own `npm run dev` in this checkout (which holds a lock on .next/dev)
    // and this test do not meet.
    PORT: "0",
    DATABASE_URL: `file:${path.join(dataFolder, "chat.db")}`,
    NEXT_DIST_DIR: ".next-e2e-dev",
  };
  // Jest's own environment is not a person's shell: no NODE_ENV=test, none of the test servers' lifted budgets.
  for (const name of JEST_ONLY_SETTINGS) Reflect.deleteProperty(env, name);
  [server, browser] = await Promise.all([
    startListening({ command: "npm", args: ["run", "dev"] }, { env, timeoutMs: DEV_START_TIMEOUT_MS }),
    launchBrowser(),
  ]);
}, DEV_START_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await Promise.all(people.map((person) => person.context.close()));
  await browser?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test(
  "under `npm run dev` the page hydrates, two people log in and chat both ways",
  async () => {
    expect(server.stdout()).toContain("(development)");
    // The first request for the page compiles it, which on a busy two-core machine can take longer than a browser
    // step may: ask for it once first, as the first person to open it would wait for it.
    expect((await fetch(server.url, { signal: AbortSignal.timeout(DEV_START_TIMEOUT_MS) })).status).toBe(200);
    // The login form appears only once React has hydrated the page and asked for the session, so logging in at all
    // proves both.
    const alice = await logIn(browser, server.url, "alice");
    people.push(alice);
    const bob = await logIn(browser, server.url, "bob");
    people.push(bob);

    await personButton(alice.page, "bob").click();
    await typeAndSend(alice.page, "hello from the dev server");
    await conversationButton(bob.page, "alice").getByText("hello from the dev server").waitFor();
    await conversationButton(bob.page, "alice").click();
    await bubble(bob.page, "hello from the dev server").waitFor();

    await typeAndSend(bob.page, "and back");
    await bubble(alice.page, "and back").waitFor();
    await bubble(alice.page, "hello from the dev server").locator('[data-receipt="read"]').waitFor();
  },
  DEV_START_TIMEOUT_MS + 60_000,
);
