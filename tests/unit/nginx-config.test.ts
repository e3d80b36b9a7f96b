/** deploy/nginx.conf's per-address budgets: the instances' defaults, and replaced when a test or benchmark lifts them. */
import { loadConfig } from "@/server/config";
import { tooManyAccountRequests } from "@/server/http/account-door";
import { tooManyConnections } from "@/server/realtime/handshake";
import { nginxConfig } from "@/scripts/cluster/nginx-config";

/** The shipped defaults: what the server reads from an empty environment. */
const DEFAULTS = loadConfig({} as NodeJS.ProcessEnv);

const budget = (config: string, zone: string) => ({
  perSecond: Number(new RegExp(`zone=${zone}:\\w+ rate=(\\d+)r/s`).exec(config)?.[1]),
  burst: Number(new RegExp(`zone=${zone} burst=(\\d+)`).exec(config)?.[1]),
});

test("the shipped budgets are the instances' defaults", () => {
  const config = nginxConfig({ port: 8080, upstreams: [3001] });
  expect(budget(config, "account_requests")).toEqual(DEFAULTS.http.accountRequestsPerAddress);
  expect(budget(config, "handshakes")).toEqual(DEFAULTS.limits.connectsPerAddress);
});

test("other budgets replace them, in whole requests a second", () => {
  const config = nginxConfig({
    port: 8080,
    upstreams: [3001, 3002],
    budgets: { accountRequests: { perSecond: 0.2, burst: 3 }, handshakes: { perSecond: 500, burst: 1_000 } },
  });
  expect(budget(config, "account_requests")).toEqual({ perSecond: 1, burst: 3 });
  expect(budget(config, "handshakes")).toEqual({ perSecond: 500, burst: 1_000 });
  expect(config).toContain("listen 127.0.0.1:8080;");
  expect(config).toContain("server 127.0.0.1:3002 max_fails=1 fail_timeout=5s;");
});

test("the refusals say what the instances' edge says", () => {
  const config = nginxConfig({ port: 8080, upstreams: [3001] });
  expect(config).toContain(JSON.stringify({ error: tooManyAccountRequests(1) }));
  expect(config).toContain(JSON.stringify({ error: tooManyConnections(1) }));
});
