/**
 * `npm run screenshots`: starts the real server on a fresh database, has two people chat and
 * follow the thermometer, and saves PNGs of the page to docs/screenshots/.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildIfStale } from "../tools/build";
import { api, login } from "../tools/http-api";
import { startServerProcess } from "../tools/server-process";
import { removeDatabase, tempDatabaseFile } from "../tools/temp-database";
import { bubble, DESKTOP, launchBrowser, logIn, PHONE, personButton } from "../tools/browser";

const OUTPUT = path.resolve(__dirname, "..", "docs", "screenshots");
const PASSWORD = "correct horse";

const CONVERSATION: [from: "alice" | "bob", text: string][] = [
  ["alice", "Morning! Are we still on for the release today?"],
  ["bob", "Yes — the build is green. Just waiting on the last review."],
  ["alice", "Great. I'll draft the notes.\nAnything you want in them?"],
  ["bob", "Mention the offline delivery, people asked for it."],
  ["alice", "Will do!"],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  buildIfStale();
  mkdirSync(OUTPUT, { recursive: true });
  const server = await startServerProcess({
    databaseFile: tempDatabaseFile(),
    env: { THERMOMETER_INTERVAL_MS: "250" },
  });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const tokens = {
      alice: (await login(server.url, "alice", PASSWORD)).token,
      bob: (await login(server.url, "bob", PASSWORD)).token,
      carol: (await login(server.url, "carol", PASSWORD)).token,
    };
    await api(server.url, "/api/messages", {
      method: "POST",
      token: tokens.carol,
      json: { destination: "alice", message: "Lunch on Friday?" },
    });

    const loginPage = await (await browser.newContext({ baseURL: server.url, viewport: DESKTOP })).newPage();
    await loginPage.goto("/");
    await loginPage.getByRole("button", { name: "Log in" }).waitFor();
    await save(loginPage, "login.png");

    const alice = await logIn(browser, server.url, "alice", { password: PASSWORD });
    const bob = await logIn(browser, server.url, "bob", { password: PASSWORD });
    const thermometerLanded = (
      await fetch(`${server.url}/api/thermometers`, { headers: { authorization: `Bearer ${tokens.alice}` } })
    ).ok;
    if (thermometerLanded) {
      await alice.page
        .getByRole("region", { name: "Thermometer" })
        .getByRole("button", { name: "Subscribe", exact: true })
        .click();
    }

    await personButton(alice.page, "bob").click();
    await personButton(bob.page, "alice").click();
    for (const [from, text] of CONVERSATION) {
      const page = from === "alice" ? alice.page : bob.page;
      const composer = page.getByRole("textbox", { name: "Message", exact: true });
      await composer.fill(text);
      await composer.press("Enter");
      await bubble(alice.page, text.split("\n")[0]!).waitFor();
      await sleep(150);
    }
    await bob.page.getByRole("textbox", { name: "Message", exact: true }).pressSequentially("One more", { delay: 30 });
    await alice.page.getByText("bob is typing").waitFor();
    if (thermometerLanded) await sleep(8_000); // let the chart fill with live readings
    await save(alice.page, "chat-desktop.png");
    if (thermometerLanded) {
      await alice.page
        .getByRole("region", { name: "Thermometer" })
        .screenshot({ path: path.join(OUTPUT, "thermometer-panel.png") });
      console.log(`saved ${path.join("docs", "screenshots", "thermometer-panel.png")}`);
    } else {
      console.warn("no thermometer on this server yet: thermometer-panel.png not taken");
    }

    const phone = await logIn(browser, server.url, "alice", { password: PASSWORD, viewport: PHONE });
    if (thermometerLanded) {
      await phone.page.locator(".chart canvas").first().waitFor();
      await phone.page.waitForFunction(
        () => Number(document.querySelector(".reading-count")?.getAttribute("data-count")) > 20,
      );
    }
    await save(phone.page, "chat-phone-list.png");
    await personButton(phone.page, "bob").click();
    await bubble(phone.page, "Will do").waitFor();
    await save(phone.page, "chat-phone.png");
  } finally {
    await browser?.close();
    await server.stop();
    removeDatabase(server.databaseFile);
  }
}

async function save(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(OUTPUT, name) });
  console.log(`saved ${path.join("docs", "screenshots", name)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
