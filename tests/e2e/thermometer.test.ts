/** The thermometer panel against the real device service: subscribe, watch the chart move, reboot, unsubscribe. */
import type { Page } from "playwright-core";
import { uniqueName } from "../support/clients";
import { logIn, personButton, serverAndBrowserPerFile } from "./support/browser";

// Readings every 100 ms (the test server's default) so the chart moves quickly.
const suite = serverAndBrowserPerFile();

const panel = (page: Page) => page.getByRole("region", { name: "Thermometer" });

async function readingCount(page: Page): Promise<number> {
  return Number(await panel(page).locator(".reading-count").getAttribute("data-count"));
}

async function waitForMoreReadings(page: Page, than: number): Promise<number> {
  await page.waitForFunction(
    (count) => Number(document.querySelector(".reading-count")?.getAttribute("data-count")) > count,
    than,
    { timeout: 15_000 },
  );
  return readingCount(page);
}

test("thermometer panel: subscribe moves the chart, reboot shows rebooting then running, unsubscribe stops it", async () => {
  const person = await logIn(suite.browser, suite.server.url, uniqueName("p"));
  suite.people.push(person);
  const { page } = person;
  const thermometer = panel(page);
  await thermometer.getByRole("button", { name: "Subscribe", exact: true }).waitFor();
  expect(await personButton(page, "thermometer1").getAttribute("class")).toContain("is-device");
  await thermometer.getByText("Not subscribed").waitFor();

  await thermometer.getByRole("button", { name: "Subscribe", exact: true }).click();
  await thermometer.getByText("Subscribed: the chart follows live readings.").waitFor();
  const before = await readingCount(page);
  const after = await waitForMoreReadings(page, before);
  expect(after).toBeGreaterThan(before);
  expect(await thermometer.locator(".chart canvas").count()).toBeGreaterThan(0);
  expect(await thermometer.locator(".thermo-value").textContent()).toMatch(/°C$/);

  await thermometer.getByRole("button", { name: "Reboot", exact: true }).click();
  await thermometer.locator('[data-status="rebooting"]').waitFor();
  await thermometer.locator('[data-status="running"]').waitFor({ timeout: 30_000 });

  await thermometer.getByRole("button", { name: "Range", exact: true }).click();
  await thermometer.locator(".thermo-reply").waitFor();

  await thermometer.getByRole("button", { name: "Unsubscribe", exact: true }).click();
  await thermometer.getByText("Not subscribed").waitFor();
  // Let any reading already in flight land, then the count must hold still.
  await page.waitForTimeout(500);
  const stopped = await readingCount(page);
  await page.waitForTimeout(1_000);
  expect(await readingCount(page)).toBe(stopped);
});
