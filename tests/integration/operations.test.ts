/**
 * Operating the server: GET /api/metrics (off without METRICS_TOKEN, a bearer token with it, Prometheus text with the
 * chat's figures) and the JSON log lines a process prints. Real server processes, real sockets.
 */
import { closeAllSockets, connect, login } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import type { ChatMessage } from "@/lib/contract/payloads";

const TOKEN = "metrics-token-for-tests-0123456789";

let withoutToken: ServerProcess;
let withToken: ServerProcess;

beforeAll(async () => {
  [withoutToken, withToken] = await Promise.all([
    startTestServerProcess(),
    startTestServerProcess({ env: { METRICS_TOKEN: TOKEN, LOG_LEVEL: "debug" } }),
  ]);
});
afterEach(() => closeAllSockets());
afterAll(async () => {
  for (const server of [withoutToken, withToken]) {
    if (!server) continue;
    await server.stop();
    removeDatabase(server.databaseFile);
  }
});

const scrape = (server: ServerProcess, authorization?: string) =>
  fetch(`${server.url}/api/metrics`, { headers: authorization ? { authorization } : {} });

/** The value of one sample of the exposition text, e.g. `chat_connected_sockets` or `chat_device_leader{device="x"}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

describe("GET /api/metrics", () => {
  test("answers 404 when no METRICS_TOKEN is set, with or without a token", async () => {
    expect((await scrape(withoutToken)).status).toBe(404);
    expect((await scrape(withoutToken, `Bearer ${TOKEN}`)).status).toBe(404);
  });

  test("answers 401 without the token or with a wrong one", async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, "Bearer ", TOKEN]) {
      const response = await scrape(withToken, authorization);
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain("chat_");
    }
  });

  test("with the token: Prometheus text with sockets, messages stored and delivered, write latency, lag, leadership", async () => {
    const before = await (await scrape(withToken, `Bearer ${TOKEN}`)).text();
    const alice = await login(withToken.url);
    const bob = await login(withToken.url);
    const aliceSocket = await connect(withToken.url, alice.token);
    const bobSocket = await connect(withToken.url, bob.token);
    const ack = await aliceSocket.request("message:send", { destination: bob.username, message: "counted" });
    expect(ack.ok).toBe(true);
    expect(await bobSocket.next<ChatMessage>("message")).toMatchObject({ id: ack.message.id });
    await aliceSocket.next("message:status", (s) => s.id === ack.message.id && s.status === "delivered");

    const response = await scrape(withToken, `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const grew = (name: string) => (sample(text, name) ?? 0) - (sample(before, name) ?? 0);

    expect(sample(text, "chat_connected_sockets")).toBe(2);
    expect(grew("chat_messages_stored_total")).toBeGreaterThanOrEqual(1);
    expect(grew("chat_messages_delivered_total")).toBeGreaterThanOrEqual(1);
    // At least the one write of this message, committed, taking some time but not minutes.
    const writes = sample(text, "chat_store_write_seconds_count", { kind: "messages", outcome: "committed" }) ?? 0;
    const seconds = sample(text, "chat_store_write_seconds_sum", { kind: "messages", outcome: "committed" }) ?? -1;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds / writes).toBeLessThan(60);
    expect(
      sample(text, "chat_store_write_seconds_count", { kind: "deliveries", outcome: "committed" }),
    ).toBeGreaterThanOrEqual(1);
    // prom-client's default metrics: the event loop's lag, and the process's own figures.
    expect(sample(text, "nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    // One instance runs every device's job.
    expect(sample(text, "chat_device_leader", { device: "thermometer1" })).toBe(1);

    aliceSocket.close();
    bobSocket.close();
  });
});

describe("logs", () => {
  const lines = (server: ServerProcess) =>
    server
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  test("every line of a server's output is JSON with the time, level, message and the instance id", () => {
    for (const server of [withoutToken, withToken]) {
      const printed = server.stdout().split("\n").filter(Boolean);
      const logged = lines(server);
      // Next prints a line of its own when it loads its configuration; everything the chat prints is JSON.
      expect(logged.length).toBeGreaterThanOrEqual(printed.filter((line) => !line.includes("next.config")).length);
      const ready = logged.find((line) => String(line.msg).includes("Chat ready on"));
      expect(ready).toMatchObject({
        level: "info",
        msg: expect.stringMatching(/^> Chat ready on http:\/\/localhost:\d+/),
      });
      expect(new Date(String(ready!.time)).toISOString()).toBe(ready!.time);
      expect(ready!.instance).toMatch(new RegExp(`-${server.pid}-[0-9a-f]{6}$`));
      for (const line of logged) expect(line.instance).toBe(ready!.instance);
    }
  });

  test("the metrics name the same instance as the logs", async () => {
    const instance = lines(withToken).find((line) => line.instance)!.instance as string;
    const text = await (await scrape(withToken, `Bearer ${TOKEN}`)).text();
    expect(sample(text, "chat_instance_info", { instance_id: instance })).toBe(1);
  });
});
