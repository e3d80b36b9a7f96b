/**
 * Names that are also the names of Object.prototype's members are valid usernames and device names.
 * Looked up in a plain object, they find the prototype's functions instead of nothing, so the page
 * has to keep everything it knows per person and per device where such a name is just a name.
 */
import type { Browser, Page } from "playwright-core";
import { api, connect, login as claimName, uniqueName, type TestSocket } from "../support/clients";
import { removeDatabase, startTestServerProcess } from "../support/server-process";
import {
  bubble,
  conversationButton,
  DESKTOP,
  fillLogin,
  newPage,
  personButton,
  serverAndBrowserPerFile,
  typeAndSend,
} from "./support/browser";

const HOSTILE_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];
const PASSWORD = "correct horse";

const suite = serverAndBrowserPerFile();

/**
 * Logs in like `logIn` does, but listens for uncaught errors from the first script on. `step` waits
 * for something on the page and fails at once, with the page's own error, if the page throws first.
 */
async function watchedPerson(browser: Browser, baseUrl: string, username: string) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: DESKTOP });
  const page = await newPage(context);
  const errors: string[] = [];
  let crash: (error: Error) => void = () => {};
  const crashed = new Promise<never>((_, reject) => (crash = reject));
  crashed.catch(() => {}); // only raced against; a crash nobody waits for is reported by expectHealthy
  page.on("pageerror", (error) => {
    errors.push(error.stack ?? error.message);
    crash(new Error(`the page threw: ${error.stack ?? error.message}`));
  });
  const step = <T>(waiting: Promise<T>) => Promise.race([waiting, crashed]);
  await page.goto("/");
  await fillLogin(page, username, PASSWORD);
  await page.getByRole("button", { name: "Log out" }).waitFor();
  return { username, context, page, errors, step };
}

/** The page is the chat, not Next's error screen, and nothing was thrown. */
async function expectHealthy(page: Page, errors: string[]): Promise<void> {
  await page.getByRole("button", { name: "Log out" }).waitFor();
  expect(await page.getByText("Application error").count()).toBe(0);
  expect(errors).toEqual([]);
}

async function openConversation(page: Page, peer: string): Promise<void> {
  await conversationButton(page, peer).click();
  await page.locator(".pane-title", { hasText: peer }).waitFor();
}

test("people named constructor, __proto__, toString, hasOwnProperty and valueOf can message someone in the page", async () => {
  const me = await watchedPerson(suite.browser, suite.server.url, uniqueName("target"));
  suite.people.push(me);
  const { page, errors, step } = me;

  const hostile = new Map<string, TestSocket>();
  const tokens = new Map<string, string>();
  for (const name of HOSTILE_NAMES) {
    const person = await claimName(suite.server.url, name, PASSWORD);
    tokens.set(name, person.token);
    const socket = await connect(suite.server.url, person.token);
    hostile.set(name, socket);
    await step(personButton(page, name).waitFor());

    const ack = await socket.request("message:send", { destination: me.username, message: `Hello from ${name}` });
    expect(ack).toMatchObject({ ok: true, online: true });
    const conversation = conversationButton(page, name);
    await step(conversation.getByText(`Hello from ${name}`).waitFor());
    expect(await conversation.locator(".badge").textContent()).toBe("1 unread");
  }
  expect(await page.locator(".conversation").count()).toBe(HOSTILE_NAMES.length);
  expect(await page.title()).toBe(`(${HOSTILE_NAMES.length}) P2P Chat`);

  for (const name of HOSTILE_NAMES) {
    await step(openConversation(page, name));
    await step(bubble(page, `Hello from ${name}`).waitFor());
    // Nobody is typing: an inherited function must not read as "typing".
    expect(await page.locator(".pane-presence").textContent()).toBe("online");
    expect(await page.locator(".typing-indicator").count()).toBe(0);
  }

  // Typing and a reply, keyed by these names too.
  const typist = hostile.get("valueOf")!;
  typist.socket.emit("typing", { destination: me.username, typing: true });
  await step(page.getByText("valueOf is typing").waitFor());
  typist.socket.emit("typing", { destination: me.username, typing: false });
  await step(page.getByText("valueOf is typing").waitFor({ state: "detached" }));

  await step(openConversation(page, "__proto__"));
  await typeAndSend(page, "Hello back, __proto__");
  const reply = bubble(page, "Hello back, __proto__");
  await step(reply.locator('[data-receipt="delivered"], [data-receipt="read"]').waitFor());
  expect(await hostile.get("__proto__")!.next("message", (m) => m.message === "Hello back, __proto__")).toMatchObject({
    sender: me.username,
  });
  await expectHealthy(page, errors);

  // A reload rebuilds everything from the server's lists and history.
  await page.reload();
  await step(page.getByRole("button", { name: "Log out" }).waitFor());
  for (const name of HOSTILE_NAMES) {
    await step(openConversation(page, name));
    await step(bubble(page, `Hello from ${name}`).waitFor());
  }
  await step(openConversation(page, "__proto__"));
  await step(bubble(page, "Hello back, __proto__").waitFor());
  await expectHealthy(page, errors);

  // The server answers them by name too, and a query key named like them is an unknown field.
  const history = await api(suite.server.url, `/api/messages?with=${me.username}`, { token: tokens.get("__proto__") });
  expect(history.body.messages.map((m: { message: string }) => m.message)).toEqual([
    "Hello from __proto__",
    "Hello back, __proto__",
  ]);
  const conversations = await api(suite.server.url, "/api/conversations", { token: tokens.get("constructor") });
  expect(conversations.body.conversations.map((c: { peer: string }) => c.peer)).toEqual([me.username]);
  const odd = await api(suite.server.url, `/api/messages?with=${me.username}&__proto__=1&constructor=2&toString=3`, {
    token: tokens.get("toString"),
  });
  // Next's own query parsing may drop `__proto__` before the handler sees it; the rest are refused by name.
  expect(odd.status).toBe(400);
  expect(odd.body.error).toMatch(/^unknown fields: (__proto__, )?constructor, toString$/);

  // And the page works for someone with such a name.
  const them = await watchedPerson(suite.browser, suite.server.url, "constructor");
  suite.people.push(them);
  await them.step(openConversation(them.page, me.username));
  await them.step(bubble(them.page, "Hello from constructor").waitFor());
  await expectHealthy(them.page, them.errors);

  for (const socket of hostile.values()) socket.close();
});

test("thermometers named toString and __proto__ show their readings and replies", async () => {
  const server = await startTestServerProcess({ env: { THERMOMETERS: "toString,__proto__" } });
  try {
    const me = await watchedPerson(suite.browser, server.url, uniqueName("p"));
    suite.people.push(me);
    const { page, errors, step } = me;
    const panel = page.getByRole("region", { name: "Thermometer" });
    const readings = async () => Number(await panel.locator(".reading-count").getAttribute("data-count"));
    const moreReadingsThan = (count: number) =>
      step(
        page.waitForFunction(
          (before) => Number(document.querySelector(".reading-count")?.getAttribute("data-count")) > before,
          count,
        ),
      );

    for (const device of ["toString", "__proto__"]) {
      await step(panel.getByRole("combobox").selectOption(device));
      await step(panel.locator(".thermo-meta", { hasText: `${device} · range` }).waitFor());
      // The stored history arrives first (the test server takes a reading every 100 ms).
      await moreReadingsThan(0);
      await step(panel.getByRole("button", { name: "Subscribe", exact: true }).click());
      await step(panel.getByText("Subscribed: the chart follows live readings.").waitFor());
      await moreReadingsThan(await readings());
      await step(panel.locator(".thermo-reply", { hasText: `Latest reply from ${device}` }).waitFor());
    }
    await expectHealthy(page, errors);

    await page.reload();
    await step(panel.getByRole("combobox").selectOption("toString"));
    await moreReadingsThan(0);
    await step(panel.locator(".thermo-reply", { hasText: "Latest reply from toString" }).waitFor());
    await expectHealthy(page, errors);
  } finally {
    await server.stop();
    removeDatabase(server.databaseFile);
  }
});
