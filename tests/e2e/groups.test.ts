/** Three people in three browser contexts: a group created, chatted in, grown and shrunk through the page. */
import { uniqueName } from "../support/clients";
import {
  bubble,
  conversationButton,
  logIn,
  type Person,
  seriousAccessibilityViolations,
  serverAndBrowserPerFile,
  typeAndSend,
} from "./support/browser";

const suite = serverAndBrowserPerFile();

async function person(name = uniqueName("p")): Promise<Person> {
  const someone = await logIn(suite.browser, suite.server.url, name);
  suite.people.push(someone);
  return someone;
}

test("create a group, chat with receipts, add and remove a member, all live", async () => {
  const alice = await person();
  const bob = await person();
  const carol = await person();
  const team = uniqueName("team");
  // Everyone is in alice's people list before she builds the group.
  await alice.page.getByRole("button", { name: carol.username, exact: true }).waitFor();

  // The New group dialog, by keyboard where a person would use it.
  await alice.page.getByRole("button", { name: "New group" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "New group" });
  await dialog.getByLabel("Name").fill(team);
  await dialog.getByRole("checkbox", { name: bob.username }).check();
  await dialog.getByRole("button", { name: "Create" }).click();
  await alice.page.locator(".pane-title", { hasText: `#${team}` }).waitFor();
  expect(await seriousAccessibilityViolations(alice.page)).toEqual([]);

  // Bob sees the group appear with its announcement, and the message alice sends, under her name.
  const bobsGroup = conversationButton(bob.page, `#${team}`);
  await bobsGroup.waitFor();
  await typeAndSend(alice.page, "hello team");
  await bobsGroup.getByText("hello team").waitFor();
  await bobsGroup.click();
  const atBob = bubble(bob.page, "hello team");
  await atBob.locator(".bubble-sender", { hasText: alice.username }).waitFor();
  // Alice's receipts: delivered to bob, then read by him (he has the group open).
  const atAlice = bubble(alice.page, "hello team");
  await atAlice.getByText(`Delivered to 1 of 1 · read by ${bob.username}`).waitFor();
  await atAlice.locator("summary").click();
  await atAlice.getByText(`${bob.username}: read`).waitFor();

  // The header counts who is online; the members panel adds carol, who sees the group at once.
  await alice.page.getByText("2 members, 2 online").waitFor();
  await alice.page.getByRole("button", { name: "Members" }).click();
  await alice.page.getByLabel("Add").selectOption(carol.username);
  await alice.page.getByRole("button", { name: "Add member" }).click();
  await alice.page.getByText("3 members, 3 online").waitFor();
  const carolsGroup = conversationButton(carol.page, `#${team}`);
  await carolsGroup.getByText(`${alice.username} added ${carol.username}`).waitFor();
  expect(await seriousAccessibilityViolations(alice.page)).toEqual([]);

  // Composer syntax works for groups too; carol receives it.
  const composer = bob.page.getByRole("textbox", { name: "Message", exact: true });
  await composer.fill(`#${team}: welcome carol`);
  await composer.press("Enter");
  await carolsGroup.getByText("welcome carol").waitFor();

  // Alice removes carol: carol's page drops the group; bob sees the announcement.
  await alice.page.getByRole("button", { name: `Remove ${carol.username}` }).click();
  await bubble(bob.page, `${alice.username} removed ${carol.username}`).waitFor();
  await carol.page.getByText(`You are no longer in #${team}.`).waitFor();
  expect(await conversationButton(carol.page, `#${team}`).count()).toBe(0);
  await typeAndSend(alice.page, "just us now");
  await bubble(bob.page, "just us now").waitFor();
  expect(await carol.page.getByText("just us now").count()).toBe(0);
});
