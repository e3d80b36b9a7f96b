/**
 * One hostile client floods the server — sends, typing, logins, sign-ups, sockets, upgrades — while
 * another pair's direct messages are timed. The flooder runs in a process of its own (flooder.ts), so
 * its work does not delay the pair's timestamps on this process's event loop. Every flood must get clear refusals (never a crash,
 * never a silent drop of the pair's messages); the pair's round trip under each flood is recorded
 * beside its quiet figure in docs/reliability-figures.json (the target, p99 within 2× of quiet, is
 * a figure to publish, not a timed assertion).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/contract/events";
import type { Rate } from "@/lib/limits/token-bucket";
import { loadConfig } from "@/server/config";
import { cpuSeconds } from "../../bench/support/cpu";
import { freePort, type NginxProcess, startNginx } from "../../scripts/cluster/processes";
import { api, login, type Person } from "../../tools/http-api";
import { type NodeProcess, spawnNode, startListening } from "../../tools/processes";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { recordFigures } from "./figures";
import type { FloodPlan } from "./flooder";

/** The shipped defaults: what the server reads from an empty environment. */
const DEFAULTS = loadConfig({} as NodeJS.ProcessEnv);

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The measured pair sends well inside the limits: ten messages a second for a few seconds. */
const PAIR_RATE_PER_SECOND = 10;
const PAIR_MESSAGES = Number(process.env.ABUSE_PAIR_MESSAGES ?? 60);
/** Behind TRUST_PROXY the attacker and the people have addresses of their own, as on a real network. */
const ATTACKER = { "x-forwarded-for": "203.0.113.66" };
const PERSON = { "x-forwarded-for": "198.51.100.7" };
/** The server's own view of each phase (CPU time, event-loop lag) comes from its metrics. */
const METRICS_TOKEN = "abuse-fault-metrics-token";

let server: ServerProcess;
let alice: Person;
let bob: Person;
let mallory: Person;
const open: ChatSocket[] = [];
const flooders: NodeProcess[] = [];

jest.setTimeout(180_000);

beforeAll(async () => {
  // The limits people get: the test servers' lifted per-address budgets (TEST_SERVER_ENV) set back to the defaults.
  // Readings at the shipped interval too: nobody here waits for one, and the test servers' reading every 100 ms is a
  // store write ten times a second that people's servers do not make.
  server = await startTestServerProcess({
    env: {
      TRUST_PROXY: "true",
      THERMOMETER_INTERVAL_MS: "2000",
      SIGNUPS_PER_ADDRESS: "10",
      ACCOUNT_REQUESTS_PER_ADDRESS: rateSetting(DEFAULTS.http.accountRequestsPerAddress),
      CONNECTS_PER_ADDRESS: rateSetting(DEFAULTS.limits.connectsPerAddress),
      METRICS_TOKEN,
      // Settings to try against the same floods, e.g. ABUSE_SERVER_ENV='{"CONNECTS_PER_ADDRESS":"10,20"}'.
      ...(JSON.parse(process.env.ABUSE_SERVER_ENV ?? "{}") as Record<string, string>),
    },
  });
  alice = await login(server.url, "abuse_alice", "alice-pw");
  bob = await login(server.url, "abuse_bob", "bob-pw");
  mallory = await login(server.url, "abuse_mallory", "mallory-pw");
});
afterAll(async () => {
  for (const socket of open) socket.disconnect();
  await Promise.all(flooders.map((flooder) => flooder.stop()));
  await server.stop();
  removeDatabase(server.databaseFile);
});

const rateSetting = ({ perSecond, burst }: Rate) => `${perSecond},${burst}`;

/** The pair's sockets come from the people's address, not the attacker's. */
function connect(token: string): Promise<ChatSocket> {
  const socket: ChatSocket = io(server.url, {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
    extraHeaders: PERSON,
  });
  open.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

interface ServerView {
  cpuSeconds: number;
  /** The longest the event loop was held up since the last scrape (prom-client resets it on each one). */
  loopLagMaxMs: number;
  /** How long the server's main thread has waited for a core while it had work, from the kernel's scheduler. */
  waitedForCoreMs: number;
}

async function serverView(): Promise<ServerView> {
  const response = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await response.text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  return {
    cpuSeconds: value("process_cpu_seconds_total"),
    loopLagMaxMs: value("nodejs_eventloop_lag_max_seconds") * 1000,
    waitedForCoreMs: mainThreadWaitMs(server.pid),
  };
}

/** /proc/<pid>/task/<pid>/schedstat: time run, time waited on a run queue (ns), time slices. */
function mainThreadWaitMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ")[1]) / 1e6;
  } catch {
    return Number.NaN; // not Linux
  }
}

/**
 * The same flood against bare-refuser.ts, which answers every request with the edge's 429 and does nothing else:
 * the CPU Node's HTTP stack alone spends on it here, and its event loop's longest stall, beside the chat server's.
 */
async function bareNode(plan: FloodPlan): Promise<{ bareNodeCpuMs: number; bareNodeLoopLagMaxMs: number }> {
  const bare = await startListening("tests/faults/bare-refuser.ts", { timeoutMs: 30_000 });
  let cpuMs = Number.NaN;
  try {
    const before = cpuSeconds([bare.pid]);
    const flooder = spawnNode("tests/faults/flooder.ts", { args: [JSON.stringify({ ...plan, url: bare.url })] });
    expect(await flooder.exited()).toBe(0);
    await pause(200); // the last closes
    cpuMs = Math.round((cpuSeconds([bare.pid]) - before) * 1000);
  } finally {
    await bare.stop();
  }
  const lag = /loop lag max (\S+) ms/.exec(bare.stdout())?.[1];
  return { bareNodeCpuMs: cpuMs, bareNodeLoopLagMaxMs: Number(lag) };
}

/** The server's view when the phase being timed began. */
let phaseStart: ServerView | undefined;

/** alice → bob at a steady rate; the time from send until bob has each message, in ms. */
async function timePair(): Promise<number[]> {
  const [from, to] = await Promise.all([connect(alice.token), connect(bob.token)]);
  const sentAt = new Map<string, number>();
  const roundTrips: number[] = [];
  const allReceived = new Promise<void>((resolve) => {
    to.on("message", (message, ack) => {
      ack?.();
      const started = sentAt.get(message.message);
      if (started === undefined) return;
      roundTrips.push(performance.now() - started);
      if (roundTrips.length === PAIR_MESSAGES) resolve();
    });
  });
  const run = `${Date.now()}`;
  for (let i = 0; i < PAIR_MESSAGES; i += 1) {
    const text = `timed ${run} ${i}`;
    sentAt.set(text, performance.now());
    from.emit("message:send", { destination: bob.username, message: text }, () => {});
    await pause(1000 / PAIR_RATE_PER_SECOND);
  }
  await Promise.race([allReceived, pause(15_000)]);
  from.disconnect();
  to.disconnect();
  expect(roundTrips).toHaveLength(PAIR_MESSAGES); // nothing of the pair's is dropped, whatever the flood
  return roundTrips;
}

let quiet: number[];

test("quiet: the pair's round trip with nobody flooding", async () => {
  phaseStart = await serverView();
  quiet = await timePair();
  await record("quiet", quiet, {});
});

/**
 * Starts a flood in a process of its own and resolves once it is flooding; `done` resolves with what the
 * flood got. The test's process then only times the pair.
 */
async function startFlood(plan: FloodPlan): Promise<{ done: Promise<Record<string, any>> }> {
  phaseStart = await serverView();
  const flooder = spawnNode("tests/faults/flooder.ts", { args: [JSON.stringify(plan)] });
  flooders.push(flooder);
  await flooder.waitFor(
    () => (flooder.stdout().includes("flooding") ? true : undefined),
    30_000,
    "the flood did not start",
  );
  const done = flooder.exited().then((code) => {
    const line = flooder
      .stdout()
      .split("\n")
      .find((text) => text.startsWith("result "));
    if (code !== 0 || !line) throw new Error(`the flooder failed (${code}):\n${flooder.output()}`);
    return JSON.parse(line.slice("result ".length)) as Record<string, any>;
  });
  return { done };
}

test("a send flood is refused with a clear error, and the pair's messages still arrive", async () => {
  const flood = await startFlood({
    kind: "send",
    url: server.url,
    token: mallory.token,
    destination: bob.username,
    count: 5_000,
  });
  const roundTrips = await timePair();
  const { answers, warnings, disconnected } = await flood.done;
  const accepted = answers.accepted ?? 0;
  expect(Object.keys(answers).join(" | ")).toMatch(/too many messages: slow down/);
  expect(accepted).toBeLessThan(5_000);
  await record("send flood", roundTrips, {
    floodSent: 5_000,
    accepted,
    answers,
    warnings: warnings.length,
    disconnected,
  });
});

test("a typing flood is dropped with one warning, and the pair's messages still arrive", async () => {
  const flood = await startFlood({
    kind: "typing",
    url: server.url,
    token: mallory.token,
    destination: bob.username,
    count: 20_000,
  });
  const roundTrips = await timePair();
  const { warnings, disconnected } = await flood.done;
  expect(warnings.length).toBeGreaterThanOrEqual(1);
  await record("typing flood", roundTrips, { floodSent: 20_000, warnings: warnings.length, disconnected });
});

/** Where a flood comes from: straight at the server, or through a proxy from an address of the attacker's own. */
interface Route {
  url: string;
  headers: Record<string, string>;
  from?: string;
}
/** Straight at the server, whose TRUST_PROXY believes the attacker's X-Forwarded-For. */
const direct = (): Route => ({ url: server.url, headers: ATTACKER });

/** 200 wrong passwords for alice while the pair is timed; the owner still logs in afterwards. */
async function loginFlood(route: Route) {
  const plan: FloodPlan = { kind: "login", username: alice.username, count: 200, ...route };
  const flood = await startFlood(plan);
  const roundTrips = await timePair();
  const { answers } = await flood.done;
  expect(Object.keys(answers).every((status) => ["401", "429", "503"].includes(status))).toBe(true);
  expect(answers["429"] ?? 0).toBeGreaterThan(0);
  const owner = await api(server.url, "/api/session", {
    method: "POST",
    headers: PERSON,
    json: { username: alice.username, password: "alice-pw" },
  });
  expect(owner.status).toBe(200);
  return { plan, roundTrips, answers };
}

/** 200 sign-ups from one address while the pair is timed. */
async function signUpFlood(route: Route) {
  const plan: FloodPlan = { kind: "signup", count: 200, ...route };
  const flood = await startFlood(plan);
  const roundTrips = await timePair();
  const { answers } = await flood.done;
  expect(Object.keys(answers).every((status) => ["201", "429", "503"].includes(status))).toBe(true);
  expect(answers["201"] ?? 0).toBeLessThan(200);
  return { plan, roundTrips, answers };
}

/** 300 sockets on mallory's token from one address while the pair is timed. */
async function socketFlood(route: Route) {
  const flood = await startFlood({ kind: "sockets", token: mallory.token, count: 300, ...route });
  const roundTrips = await timePair();
  const { answers } = await flood.done;
  expect(answers.connected ?? 0).toBeLessThan(300);
  return { roundTrips, answers };
}

test("a login flood against one name is throttled for its address only; the owner still logs in", async () => {
  const { plan, roundTrips, answers } = await loginFlood(direct());
  const end = await serverView();
  await record("login flood", roundTrips, { attempts: 200, answers, ...(await bareNode(plan)) }, end);
});

test("a sign-up flood from one address is rate-limited, and the pair's messages still arrive", async () => {
  const { plan, roundTrips, answers } = await signUpFlood(direct());
  const end = await serverView();
  await record("sign-up flood", roundTrips, { attempts: 200, answers, ...(await bareNode(plan)) }, end);
});

test("a socket flood on one token from one address is refused with a clear reason", async () => {
  const { roundTrips, answers } = await socketFlood(direct());
  expect(Object.keys(answers).join(" | ")).toMatch(/too many connections/);
  await record("socket flood", roundTrips, { attempts: 300, connected: answers.connected ?? 0, answers });
});

test("an upgrade flood to an unknown path is answered and closed", async () => {
  const flood = await startFlood({ kind: "upgrade", url: server.url, count: 300 });
  const roundTrips = await timePair();
  const { answers } = await flood.done;
  const answered = Object.entries(answers)
    .filter(([status]) => status.startsWith("HTTP/1.1 404"))
    .reduce((sum, [, n]) => sum + (n as number), 0);
  expect(answered).toBe(300);
  await record("upgrade flood", roundTrips, { attempts: 300, answered });
});

/**
 * The same floods as a deployment behind deploy/nginx.conf meets them: from an address of the attacker's own
 * (127.0.0.2, so nginx, which sees connections, tells the attacker from the pair), through nginx with its shipped
 * per-address budgets, which refuses what is over them before Node sees it. The pair still talks to the server
 * directly, so its figures say what the flood cost the server.
 */
describe("behind nginx with its shipped budgets", () => {
  const ATTACKER_ADDRESS = "127.0.0.2";
  let nginx: NginxProcess;
  let nginxDir: string;

  beforeAll(async () => {
    nginxDir = mkdtempSync(path.join(os.tmpdir(), "chat-abuse-nginx-"));
    chmodSync(nginxDir, 0o755); // nginx's workers run as another user under root
    nginx = await startNginx({ dir: nginxDir, port: await freePort(), upstreams: [server.port] });
  });
  afterAll(async () => {
    await nginx?.stop(5_000);
    rmSync(nginxDir, { recursive: true, force: true });
  });

  const throughNginx = (): Route => ({ url: nginx.url, headers: {}, from: ATTACKER_ADDRESS });

  test("a login flood is refused by nginx; the owner still logs in", async () => {
    const { roundTrips, answers } = await loginFlood(throughNginx());
    expect(answers["429"] ?? 0).toBeGreaterThan(150);
    await record("login flood behind nginx", roundTrips, { attempts: 200, answers });
  });

  test("a sign-up flood is refused by nginx", async () => {
    const { roundTrips, answers } = await signUpFlood(throughNginx());
    expect(answers["429"] ?? 0).toBeGreaterThan(150);
    await record("sign-up flood behind nginx", roundTrips, { attempts: 200, answers });
  });

  test("a socket flood is refused by nginx", async () => {
    const { roundTrips, answers } = await socketFlood(throughNginx());
    expect(Object.keys(answers).join(" | ")).toMatch(/429/);
    await record("socket flood behind nginx", roundTrips, {
      attempts: 300,
      connected: answers.connected ?? 0,
      answers,
    });
  });
});

/**
 * The pair's figures beside what the server spent from the flood's start until the pair was timed (`end`, or now):
 * its CPU time, its event loop's longest stall, and how long its main thread waited for a core, which tell the
 * server's own cost from the machine's (the flooder and the test share its cores).
 */
async function record(
  phase: string,
  roundTrips: number[],
  extra: Record<string, unknown>,
  end?: ServerView,
): Promise<void> {
  const p = (q: number) => percentile(roundTrips, q);
  const quietP99 = percentile(quiet, 0.99);
  end ??= await serverView();
  recordFigures(`abuse: ${phase}`, {
    pairMessages: roundTrips.length,
    p50Ms: round(p(0.5)),
    p99Ms: round(p(0.99)),
    p99VersusQuiet: round(p(0.99) / quietP99),
    serverCpuMs: phaseStart ? Math.round((end.cpuSeconds - phaseStart.cpuSeconds) * 1000) : undefined,
    serverLoopLagMaxMs: round(end.loopLagMaxMs),
    serverWaitedForCoreMs: phaseStart ? Math.round(end.waitedForCoreMs - phaseStart.waitedForCoreMs) : undefined,
    machineLoad1m: round(os.loadavg()[0]!),
    ...extra,
  });
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const round = (value: number) => Math.round(value * 100) / 100;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
