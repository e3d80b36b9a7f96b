/** Two people in two browser contexts chatting through the real server. */
import { offlineNotice } from "@/lib/contract/names";
import { api, login as claimName, uniqueName } from "../support/clients";
import {
  bubble,
  conversationButton,
  logIn,
  newPage,
  personButton,
  typeAndSend,
  type Person,
  serverAndBrowserPerFile,
} from "./support/browser";

const suite = serverAndBrowserPerFile();

async function person(name = uniqueName("p")): Promise<Person> {
  const someone = await logIn(suite.browser, suite.server.url, name);
  suite.people.push(someone);
  return someone;
}

test("two people message each other live both ways, with typing and read receipts", async () => {
  const alice = await person();
  const bob = await person();

  await personButton(alice.page, bob.username).click();
  await typeAndSend(alice.page, "Hi Bob, got a minute?");
  const aliceFirst = bubble(alice.page, "Hi Bob, got a minute?");
  await aliceFirst.waitFor();

  // Bob has not opened the conversation: delivered, not read; his list shows it unread.
  await aliceFirst.locator('[data-receipt="delivered"]').waitFor();
  const bobConversation = conversationButton(bob.page, alice.username);
  await bobConversation.getByText("Hi Bob, got a minute?").waitFor();
  await expectText(bobConversation.locator(".badge"), "1 unread");
  await expectText(
    bob.page.locator('[aria-live="polite"][aria-atomic="true"]'),
    `New message from ${alice.username}: Hi Bob, got a minute?`,
  );

  // Opening the conversation reads it, and Alice's ticks turn to read live.
  await bobConversation.click();
  await bubble(bob.page, "Hi Bob, got a minute?").waitFor();
  await aliceFirst.locator('[data-receipt="read"]').waitFor();
  expect(await bobConversation.locator(".badge").count()).toBe(0);

  // Bob types: Alice sees it; then he answers, and with her conversation open it is read at once.
  await bob.page.getByRole("textbox", { name: "Message", exact: true }).pressSequentially("Sure");
  await alice.page.getByText(`${bob.username} is typing`).waitFor();
  await bob.page.getByRole("textbox", { name: "Message", exact: true }).fill("Sure, what's up?\nTwo lines even.");
  await bob.page.getByRole("textbox", { name: "Message", exact: true }).press("Enter");
  const reply = bubble(alice.page, "Sure, what's up?");
  await reply.waitFor();
  expect(await reply.locator(".bubble-text").textContent()).toBe("Sure, what's up?\nTwo lines even.");
  await bubble(bob.page, "Sure, what's up?").locator('[data-receipt="read"]').waitFor();

  // Each message is shown once on each side, even though the sender's own echo also arrives.
  expect(await bubble(alice.page, "Hi Bob, got a minute?").count()).toBe(1);
  expect(await bubble(bob.page, "Sure, what's up?").count()).toBe(1);
  await alice.page.locator(".day-separator", { hasText: "Today" }).first().waitFor();
});

test("Shift+Enter adds a line, and `name: text` in the composer writes to that person", async () => {
  const alice = await person();
  const bob = await person();
  const composer = alice.page.getByRole("textbox", { name: "Message", exact: true });
  await composer.fill(`${bob.username}: straight from the composer`);
  await composer.press("Shift+Enter");
  await composer.pressSequentially("second line");
  expect(await composer.inputValue()).toBe(`${bob.username}: straight from the composer\nsecond line`);
  await composer.press("Enter");

  await bubble(alice.page, "straight from the composer").waitFor();
  expect(await alice.page.locator(".pane-title").textContent()).toContain(bob.username);
  await conversationButton(bob.page, alice.username).getByText("straight from the composer").waitFor();
  expect(await composer.inputValue()).toBe("");
});

test("offline: the sender is told the message was saved, and it arrives marked Stored when the person returns", async () => {
  const alice = await person();
  const bob = await person();
  await personButton(alice.page, bob.username).click();
  await alice.page.locator(".pane-presence", { hasText: "online" }).waitFor();

  await bob.page.close();
  await alice.page.locator(".pane-presence", { hasText: "last seen" }).waitFor();
  await typeAndSend(alice.page, "Are you there?");
  await alice.page.getByText(offlineNotice(bob.username), { exact: true }).waitFor();
  await bubble(alice.page, "Are you there?").locator('[data-receipt="sent"]').waitFor();

  // Bob comes back in the same browser: the cookie still signs him in.
  bob.page = await newPage(bob.context);
  await bob.page.goto("/");
  await bob.page.getByRole("button", { name: "Log out" }).waitFor();
  await conversationButton(bob.page, alice.username).click();
  const stored = bubble(bob.page, "Are you there?");
  await stored.locator(".stored-mark", { hasText: "Stored" }).waitFor();
  await bubble(alice.page, "Are you there?").locator('[data-receipt="read"]').waitFor();
});

test("`!check` in the composer and the Check button fetch unseen messages, marked Stored", async () => {
  const alice = await person();
  const bob = await person();

  await typeAndSend(bob.page, "!check");
  const results = bob.page.getByRole("region", { name: "Check results" });
  await results.getByText("No unseen messages.").waitFor();
  await results.getByRole("button", { name: "Close" }).click();
  expect(await results.count()).toBe(0);

  // Bob's realtime connection is cut (think of a proxy that drops WebSockets) while the page stays up.
  let cut = true;
  await bob.context.routeWebSocket(/\/socket\.io\//, (ws) => (cut ? ws.close() : ws.connectToServer()));
  await bob.context.route("**/socket.io/**", (route) => (cut ? route.abort() : route.fallback()));
  await bob.page.reload();
  await bob.page.getByText("Connection lost").waitFor();
  await personButton(alice.page, bob.username).click();
  await typeAndSend(alice.page, "Sent while your socket was down");
  await alice.page.getByText(offlineNotice(bob.username), { exact: true }).waitFor();

  await bob.page.getByRole("button", { name: "Check", exact: true }).click();
  const found = results.locator(".bubble", { hasText: "Sent while your socket was down" });
  await found.locator(".stored-mark", { hasText: "Stored" }).waitFor();
  expect(await found.locator(".bubble-sender").textContent()).toBe(alice.username);
  await conversationButton(bob.page, alice.username).getByText("Sent while your socket was down").waitFor();

  // The connection comes back by itself and the banner goes away.
  cut = false;
  await bob.page.getByText("Connection lost").waitFor({ state: "detached", timeout: 30_000 });
});

test("scrolling up through a long conversation loads earlier pages", async () => {
  const alice = await person();
  const bobName = uniqueName("p");
  const bob = await claimName(suite.server.url, bobName);
  const aliceToken = (await claimName(suite.server.url, alice.username)).token;
  for (let n = 1; n <= 75; n += 1) {
    const sender = n % 2 ? bob.token : aliceToken;
    const destination = n % 2 ? alice.username : bobName;
    await api(suite.server.url, "/api/messages", {
      method: "POST",
      token: sender,
      json: { destination, message: `numbered message ${n}` },
    });
  }
  await alice.page.reload();
  await personButton(alice.page, bobName).click();
  await bubble(alice.page, "numbered message 75").waitFor();
  expect(await alice.page.locator(".pane .bubble").count()).toBe(50);

  const scroller = alice.page.locator(".message-scroller");
  await scroller.evaluate((element) => element.scrollTo({ top: 0 }));
  await bubble(alice.page, /^numbered message 1$/).waitFor();
  expect(await alice.page.locator(".pane .bubble").count()).toBe(75);
  expect(await alice.page.getByRole("button", { name: "Load earlier messages" }).count()).toBe(0);
  // The view stays on what the reader was looking at instead of jumping to the top of the new page.
  expect(await scroller.evaluate((element) => element.scrollTop)).toBeGreaterThan(0);
});

async function expectText(locator: ReturnType<Person["page"]["locator"]>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
  expect(await locator.first().textContent()).toContain(text);
}
