/** The cluster's settings and the health answers, without starting anything. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "@/server/config";
import { Health } from "@/server/health";

const config = (env: Record<string, string>) => loadConfig(env as NodeJS.ProcessEnv);

describe("cluster settings", () => {
  it("are off without REDIS_URL (or with it empty): one instance, as before", () => {
    expect(config({}).cluster).toBeUndefined();
    expect(config({ REDIS_URL: "" }).cluster).toBeUndefined();
  });

  it("have defaults that fit people once REDIS_URL is set", () => {
    expect(config({ REDIS_URL: "redis://127.0.0.1:6379" }).cluster).toEqual({
      redisUrl: "redis://127.0.0.1:6379",
      leaseTtlMs: 5000,
      instanceTimeoutMs: 6000,
    });
  });

  it.each([
    [{ REDIS_URL: "http://redis:6379" }, "REDIS_URL"],
    [{ REDIS_URL: "redis://r:6379", DEVICE_LEASE_TTL_MS: "200" }, "DEVICE_LEASE_TTL_MS"],
    [{ REDIS_URL: "redis://r:6379", INSTANCE_TIMEOUT_MS: "nope" }, "INSTANCE_TIMEOUT_MS"],
  ])("refuse a bad value, naming it: %j", (env, name) => {
    expect(() => config(env)).toThrow(name);
  });
});

describe("health and readiness", () => {
  let server: Server;
  let url: string;
  let storeUp = true;
  let redisUp = true;
  const health = new Health({
    store: async () => {
      if (!storeUp) throw new Error("down");
    },
    redis: async () => redisUp,
  });

  beforeAll(async () => {
    server = createServer(health.around((_request, response) => response.end("the app")));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const get = async (path: string) => {
    const response = await fetch(url + path);
    return { status: response.status, body: await response.text() };
  };

  it("answers alive, ready, not ready and shutting down; everything else goes on", async () => {
    expect(await get("/api/health")).toEqual({ status: 200, body: '{"status":"alive"}' });
    expect(JSON.parse((await get("/api/ready")).body)).toEqual({ status: "ready", store: "ok", redis: "ok" });
    redisUp = false;
    expect(await get("/api/ready")).toMatchObject({ status: 503 });
    redisUp = true;
    storeUp = false;
    expect(JSON.parse((await get("/api/ready")).body)).toMatchObject({ store: "unreachable" });
    storeUp = true;
    expect(await get("/api/users")).toEqual({ status: 200, body: "the app" });
    health.beginShutdown();
    expect(await get("/api/ready")).toEqual({
      status: 503,
      body: '{"status":"shutting down","store":"not checked"}',
    });
    expect((await get("/api/health")).status).toBe(200);
  });
});
