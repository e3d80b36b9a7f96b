/**
 * The server restarts under two open pages: the banner shows while it is away, what is typed
 * meanwhile is kept and sent once it is back, and nothing is shown twice.
 */
import { uniqueName } from "../support/clients";
import { startTestServerProcess } from "../support/server-process";
import {
  bubble,
  conversationButton,
  logIn,
  personButton,
  typeAndSend,
  serverAndBrowserPerFile,
} from "./support/browser";

const suite = serverAndBrowserPerFile();

test("messages typed while the server is away are kept and sent exactly once when it returns", async () => {
  const alice = await logIn(suite.browser, suite.server.url, uniqueName("p"));
  const bob = await logIn(suite.browser, suite.server.url, uniqueName("p"));
  suite.people.push(alice, bob);
  await personButton(alice.page, bob.username).click();
  await typeAndSend(alice.page, "before the restart");
  await bubble(alice.page, "before the restart").locator('[data-receipt="delivered"]').waitFor();

  const port = new URL(suite.server.url).port;
  await suite.server.stop();
  await alice.page.getByText("Connection lost").waitFor();
  await typeAndSend(alice.page, "typed while the server was away");
  const queued = alice.page.locator(".pane .bubble.outgoing", { hasText: "typed while the server was away" });
  await queued.getByText("Waiting for connection").waitFor();

  // Same database, same address: the sessions and history are all still there.
  suite.server = await startTestServerProcess({ databaseFile: suite.server.databaseFile, env: { PORT: port } });
  await alice.page.getByText("Connection lost").waitFor({ state: "detached", timeout: 30_000 });
  await bubble(alice.page, "typed while the server was away").locator("[data-receipt]").waitFor();
  await conversationButton(bob.page, alice.username)
    .getByText("typed while the server was away")
    .waitFor({ timeout: 30_000 });
  await conversationButton(bob.page, alice.username).click();
  await bubble(bob.page, "typed while the server was away").waitFor();

  for (const page of [alice.page, bob.page]) {
    expect(await bubble(page, "typed while the server was away").count()).toBe(1);
    expect(await bubble(page, "before the restart").count()).toBe(1);
  }
  expect(await queued.count()).toBe(0);
});
