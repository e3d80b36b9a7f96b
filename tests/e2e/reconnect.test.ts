/**
 * The server restarts under two open pages: the banner shows while it is away, what is typed
 * meanwhile is kept and sent once it is back, and nothing is shown twice.
 */
import type { Browser } from "playwright-core";
import { uniqueName } from "../support/clients";
import { removeDatabase, startServer, type TestServer } from "../support/server";
import { bubble, conversationButton, launchBrowser, logIn, personButton, typeAndSend, type Person } from "./support/browser";

let server: TestServer;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await Promise.all(people.map((person) => person.context.close()));
  await browser?.close();
  await server?.stop();
  if (server) removeDatabase(server.databaseFile);
});

test("messages typed while the server is away are kept and sent exactly once when it returns", async () => {
  const alice = await logIn(browser, server.url, uniqueName("p"));
  const bob = await logIn(browser, server.url, uniqueName("p"));
  people.push(alice, bob);
  await personButton(alice.page, bob.username).click();
  await typeAndSend(alice.page, "before the restart");
  await bubble(alice.page, "before the restart").locator('[data-receipt="delivered"]').waitFor();

  const port = new URL(server.url).port;
  await server.stop();
  await alice.page.getByText("Connection lost").waitFor();
  await typeAndSend(alice.page, "typed while the server was away");
  const queued = alice.page.locator(".pane .bubble.outgoing", { hasText: "typed while the server was away" });
  await queued.getByText("Waiting for connection").waitFor();

  // Same database, same address: the sessions and history are all still there.
  server = await startServer({ databaseFile: server.databaseFile, env: { PORT: port } });
  await alice.page.getByText("Connection lost").waitFor({ state: "detached", timeout: 30_000 });
  await bubble(alice.page, "typed while the server was away").locator("[data-receipt]").waitFor();
  await conversationButton(bob.page, alice.username).getByText("typed while the server was away").waitFor({ timeout: 30_000 });
  await conversationButton(bob.page, alice.username).click();
  await bubble(bob.page, "typed while the server was away").waitFor();

  for (const page of [alice.page, bob.page]) {
    expect(await bubble(page, "typed while the server was away").count()).toBe(1);
    expect(await bubble(page, "before the restart").count()).toBe(1);
  }
  expect(await queued.count()).toBe(0);
});
