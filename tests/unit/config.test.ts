/** The environment settings of the limits and shutdown: defaults, valid values, clear refusals. */
import { loadConfig as loadFrom } from "@/server/config";

const loadConfig = (env: Record<string, string>) => loadFrom(env as NodeJS.ProcessEnv);

test("the limits default to what fits people", () => {
  expect(loadConfig({}).limits).toEqual({
    sendPerSocket: { perSecond: 20, burst: 40 },
    sendPerUser: { perSecond: 30, burst: 60 },
    checkPerUser: { perSecond: 5, burst: 20 },
    readPerUser: { perSecond: 30, burst: 60 },
    typingPerSocket: { perSecond: 5, burst: 10 },
    typingPerUser: { perSecond: 10, burst: 20 },
    receivedPerSocket: { perSecond: 200, burst: 1_000 },
    socketsPerUser: 50,
    socketCountTimeoutMs: 1_000,
    closeAfterRefusedSends: 200,
    closeAfterDroppedTyping: 200,
    connectsPerAddress: { perSecond: 10, burst: 20 },
  });
  expect(loadConfig({}).shutdownDeadlineMs).toBe(10_000);
});

test("each limit has its setting", () => {
  const config = loadConfig({
    SEND_LIMIT_PER_SOCKET: "100,200",
    SEND_LIMIT_PER_USER: "0.5,3",
    CHECK_LIMIT_PER_USER: "1,2",
    READ_LIMIT_PER_USER: "3,5",
    TYPING_LIMIT_PER_SOCKET: "1,1",
    TYPING_LIMIT_PER_USER: "2,4",
    RECEIVED_LIMIT_PER_SOCKET: "7,9",
    MAX_SOCKETS_PER_USER: "3",
    SOCKET_COUNT_TIMEOUT_MS: "250",
    SEND_REFUSALS_BEFORE_CLOSE: "0",
    TYPING_DROPS_BEFORE_CLOSE: "0",
    CONNECTS_PER_ADDRESS: "2,5",
    SHUTDOWN_DEADLINE_MS: "2500",
  });
  expect(config.limits).toEqual({
    sendPerSocket: { perSecond: 100, burst: 200 },
    sendPerUser: { perSecond: 0.5, burst: 3 },
    checkPerUser: { perSecond: 1, burst: 2 },
    readPerUser: { perSecond: 3, burst: 5 },
    typingPerSocket: { perSecond: 1, burst: 1 },
    typingPerUser: { perSecond: 2, burst: 4 },
    receivedPerSocket: { perSecond: 7, burst: 9 },
    socketsPerUser: 3,
    socketCountTimeoutMs: 250,
    closeAfterRefusedSends: 0,
    closeAfterDroppedTyping: 0,
    connectsPerAddress: { perSecond: 2, burst: 5 },
  });
  expect(config.shutdownDeadlineMs).toBe(2_500);
});

test.each([
  [{ SEND_LIMIT_PER_SOCKET: "20" }, "SEND_LIMIT_PER_SOCKET: must be '<per second>,<burst>', e.g. 20,40"],
  [{ SEND_LIMIT_PER_USER: "0,10" }, "SEND_LIMIT_PER_USER: the rate must be above 0"],
  [{ CHECK_LIMIT_PER_USER: "many" }, "CHECK_LIMIT_PER_USER: must be '<per second>,<burst>', e.g. 20,40"],
  [{ READ_LIMIT_PER_USER: "0,5" }, "READ_LIMIT_PER_USER: the rate must be above 0"],
  [{ TYPING_LIMIT_PER_USER: "5,0.5" }, "TYPING_LIMIT_PER_USER: the burst must be a whole number, at least 1"],
  [{ MAX_SOCKETS_PER_USER: "0" }, "MAX_SOCKETS_PER_USER"],
  [{ TYPING_DROPS_BEFORE_CLOSE: "-1" }, "TYPING_DROPS_BEFORE_CLOSE"],
  [{ CONNECTS_PER_ADDRESS: "10" }, "CONNECTS_PER_ADDRESS: must be '<per second>,<burst>', e.g. 20,40"],
  [{ CONNECTS_PER_ADDRESS: "0,50" }, "CONNECTS_PER_ADDRESS: the rate must be above 0"],
  [{ SHUTDOWN_DEADLINE_MS: "soon" }, "SHUTDOWN_DEADLINE_MS"],
])("%j is refused, naming the setting", (env, message) => {
  expect(() => loadConfig(env)).toThrow(message);
});

test("metrics are off and logs at info unless set", () => {
  expect(loadConfig({})).toMatchObject({ metricsToken: undefined, logLevel: "info" });
  expect(loadConfig({ METRICS_TOKEN: "" }).metricsToken).toBeUndefined();
  expect(loadConfig({ METRICS_TOKEN: "0123456789abcdef", LOG_LEVEL: "warn" })).toMatchObject({
    metricsToken: "0123456789abcdef",
    logLevel: "warn",
  });
});

test.each([
  [{ METRICS_TOKEN: "short" }, "METRICS_TOKEN must be at least 16 characters"],
  [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
])("%j is refused, naming the setting", (env, message) => {
  expect(() => loadConfig(env)).toThrow(message);
});
