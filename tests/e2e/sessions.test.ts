/** Log out everywhere from the page, and the Check button across pages, in real Chromium against the real server. */
import { login as claimName, uniqueName } from "../support/clients";
import { insertRawMessages } from "../support/sqlite";
import { logIn, type Person, serverAndBrowserPerFile } from "./support/browser";

const suite = serverAndBrowserPerFile();

async function person(name = uniqueName("p")): Promise<Person> {
  const someone = await logIn(suite.browser, suite.server.url, name);
  suite.people.push(someone);
  return someone;
}

test("Log out everywhere signs out every browser of that person at once, and nobody else", async () => {
  const name = uniqueName("p");
  const laptop = await person(name);
  const phone = await person(name);
  const bob = await person();

  await laptop.page.getByLabel("More ways to log out").click();
  await laptop.page.getByRole("button", { name: "Log out everywhere" }).click();
  await laptop.page.getByRole("button", { name: "Log in" }).waitFor();
  // The phone's socket is disconnected by the server, and the page finds its session gone.
  await phone.page.getByRole("button", { name: "Log in" }).waitFor();
  await phone.page.reload();
  await phone.page.getByRole("button", { name: "Log in" }).waitFor();

  await bob.page.reload();
  await bob.page.getByRole("button", { name: "Log out", exact: true }).waitFor();
});

test("the Check button follows every page of waiting messages to the end", async () => {
  const alice = await claimName(suite.server.url, uniqueName("p"));
  const bob = await person();
  // Bob's realtime connection is cut, so the waiting messages are not pushed to him: only Check finds them.
  await bob.context.routeWebSocket(/\/socket\.io\//, (ws) => ws.close());
  await bob.context.route("**/socket.io/**", (route) => route.abort());
  await bob.page.reload();
  await bob.page.getByText("Connection lost").waitFor();
  insertRawMessages(
    suite.server.databaseFile,
    Array.from({ length: 620 }, (_, i) => ({ sender: alice.username, destination: bob.username, message: `w${i}` })),
  );

  await bob.page.getByRole("button", { name: "Check", exact: true }).click();
  const results = bob.page.getByRole("region", { name: "Check results" });
  await results.locator(".bubble", { hasText: "w619" }).waitFor();
  expect(await results.locator(".bubble").count()).toBe(620);
});
