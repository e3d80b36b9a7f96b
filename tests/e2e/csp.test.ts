/**
 * The page under its Content-Security-Policy in Chromium: it loads, logs in, connects its socket and lazily loads
 * the chart library without a single violation, while a script injected without the nonce does not run.
 */
import { uniqueName } from "../support/clients";
import { fillLogin, newPage, serverAndBrowserPerFile } from "./support/browser";

const suite = serverAndBrowserPerFile();

test("the chat works under its CSP with no violations, and an injected inline script is blocked", async () => {
  const context = await suite.browser.newContext({ baseURL: suite.server.url });
  const page = await newPage(context);
  suite.people.push({ username: "csp", context, page });
  const reported: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) reported.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(`${event.effectiveDirective} ${event.blockedURI}`),
    );
  });
  const violations = () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

  const response = (await page.goto("/"))!;
  const policy = response.headers()["content-security-policy"]!;
  expect(policy).toMatch(/script-src 'self' 'nonce-[^']+';/);
  expect(policy).not.toContain("unsafe-inline");

  await fillLogin(page, uniqueName("csp"), "correct horse");
  await page.getByRole("button", { name: "Log out" }).waitFor();
  const thermometer = page.getByRole("region", { name: "Thermometer" });
  await thermometer.getByRole("button", { name: "Subscribe", exact: true }).click();
  // The chart (uPlot) is a chunk loaded on demand; it draws once readings arrive over the socket.
  await thermometer.locator(".chart canvas").first().waitFor();
  await thermometer.getByText("Subscribed: the chart follows live readings.").waitFor();
  expect(await violations()).toEqual([]);
  expect(reported).toEqual([]);

  const ran = await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.injectedRan = true";
    document.body.append(script);
    return (window as unknown as { injectedRan?: boolean }).injectedRan === true;
  });
  expect(ran).toBe(false);
  await page.waitForFunction(() => (window as unknown as { cspViolations: string[] }).cspViolations.length > 0);
  expect(await violations()).toEqual([expect.stringMatching(/^script-src-elem inline/)]);
});
