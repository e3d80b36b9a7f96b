import { z } from "zod";
import { USERNAME_PATTERN } from "../lib/contract/names";
import type { DeviceSettings } from "../lib/devices";
import type { ClusterSettings } from "./cluster/settings";
import { DEFAULT_LOGIN_SETTINGS, type LoginSettings } from "../lib/accounts/login-protection";
import { DEFAULT_STORE_BUSY_TIMEOUT_MS } from "../lib/store/busy";
import { DEFAULT_GROUP_MAX_MEMBERS, type GroupSettings } from "../lib/chat/group-service";
import { DEFAULT_ACCOUNT_REQUESTS_PER_ADDRESS } from "./http/account-door";
import { DEFAULT_MAX_BODY_BYTES } from "./http/body";
import type { EdgeSettings } from "./http/settings";
import { LOG_LEVELS, type LogLevel } from "./log";

// --- The HTTP edge (server/http): body limit, cross-site origins, proxies, TLS, HSTS ---

const originList = z
  .string()
  .transform((list) =>
    list
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .url({ protocol: /^https?$/, error: "each ALLOWED_ORIGINS entry must be an origin like https://chat.example" })
        .refine((origin) => new URL(origin).origin === origin.replace(/\/$/, ""), {
          error: "each ALLOWED_ORIGINS entry must be an origin only: scheme, host and port, no path",
        })
        .transform((origin) => new URL(origin).origin),
    ),
  );

/** `false` (or unset, or 0): no proxy is believed; `true`: one; a number: that many in a row. */
const trustProxy = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(true|false|\d+)$/, { error: "TRUST_PROXY must be false, true (one proxy) or a number of proxies" })
  .transform((value) => (value === "true" ? 1 : value === "false" ? 0 : Number(value)))
  .pipe(z.number().int().max(10, { error: "TRUST_PROXY: at most 10 proxies" }));

const edgeVariables = {
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(DEFAULT_MAX_BODY_BYTES),
  ALLOWED_ORIGINS: originList.default([]),
  TRUST_PROXY: trustProxy.default(0),
  TLS_CERT: z.string().min(1).optional(),
  TLS_KEY: z.string().min(1).optional(),
  HSTS_MAX_AGE: z.coerce.number().int().min(0).default(31_536_000), // one year
  // Logins and sign-ups one client address may start: `<per second>,<burst>`; past it 429 before Next runs.
  ACCOUNT_REQUESTS_PER_ADDRESS: rateSetting(DEFAULT_ACCOUNT_REQUESTS_PER_ADDRESS),
};

/** A certificate without its key (or the reverse) is a mistake, not a request for plain HTTP. */
function tlsFilesTogether(env: { TLS_CERT?: string; TLS_KEY?: string }, context: z.RefinementCtx): void {
  if (Boolean(env.TLS_CERT) !== Boolean(env.TLS_KEY)) {
    context.addIssue({
      code: "custom",
      path: [env.TLS_CERT ? "TLS_KEY" : "TLS_CERT"],
      message: "TLS_CERT and TLS_KEY go together: set both (PEM files) or neither",
    });
  }
}

// --- end of the HTTP edge ---
import { DEFAULT_LIMITS, type RealtimeLimits } from "./realtime/limits";

// --- Several instances (server/cluster): on only when REDIS_URL is set ---

const clusterVariables = {
  // Empty counts as unset, so `REDIS_URL=` in an env file means one instance.
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((url) => url || undefined)
    .pipe(
      z
        .url({
          protocol: /^rediss?$/,
          error: "REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379",
        })
        .optional(),
    ),
  DEVICE_LEASE_TTL_MS: z.coerce.number().int().min(1000).max(60_000).default(5000),
  INSTANCE_TIMEOUT_MS: z.coerce.number().int().min(1500).max(120_000).default(6000),
};

// --- end of several instances ---

// --- Store hardening: a busy store, login throttling and the bound on password hashing ---

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const loginDefaults = DEFAULT_LOGIN_SETTINGS.limits;

const storeVariables = {
  STORE_BUSY_TIMEOUT_MS: count(0, 600_000, DEFAULT_STORE_BUSY_TIMEOUT_MS),
  // 0: no cap but the disk's; otherwise the most 4 KiB pages the SQLite file may grow to (writes beyond: 507).
  STORE_MAX_PAGES: count(0, 2 ** 31 - 2, 0),
  LOGIN_ATTEMPTS_PER_ADDRESS: count(1, 1_000, loginDefaults.perAddress),
  LOGIN_ATTEMPTS_PER_NAME: count(1, 100_000, loginDefaults.perName),
  LOGIN_LOCK_MS: count(1_000, 86_400_000, loginDefaults.firstLockMs),
  LOGIN_LOCK_MAX_MS: count(1_000, 86_400_000, loginDefaults.longestLockMs),
  SIGNUPS_PER_ADDRESS: count(1, 100_000, loginDefaults.signupsPerWindow),
  SIGNUP_WINDOW_MS: count(1_000, 7 * 86_400_000, loginDefaults.signupWindowMs),
  PASSWORD_HASH_CONCURRENCY: count(1, 64, DEFAULT_LOGIN_SETTINGS.hashConcurrency),
  PASSWORD_HASH_QUEUE: count(0, 100_000, DEFAULT_LOGIN_SETTINGS.hashQueue),
};

/** The longest lock cannot be shorter than the first. */
function locksInOrder(env: { LOGIN_LOCK_MS: number; LOGIN_LOCK_MAX_MS: number }, context: z.RefinementCtx): void {
  if (env.LOGIN_LOCK_MAX_MS < env.LOGIN_LOCK_MS) {
    context.addIssue({
      code: "custom",
      path: ["LOGIN_LOCK_MAX_MS"],
      message: "LOGIN_LOCK_MAX_MS must be at least LOGIN_LOCK_MS",
    });
  }
}

export interface StoreSettings {
  /** How long a write waits (asynchronously) for another connection's SQLite lock before "try again" (503). */
  busyTimeoutMs: number;
  /** SQLite: the most pages the database may grow to; 0 for no cap but the disk's. */
  maxPages: number;
}

// --- end of store hardening ---

const deviceList = z
  .string()
  .transform((list) =>
    list
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(USERNAME_PATTERN, { error: "each THERMOMETERS name must be a valid username" })));

// ── limits on one client, and shutdown ─────────────────────────────────────────

/** `<per second>,<burst>`, e.g. `20,40`: a token bucket's refill rate and size. */
function rateSetting(fallback: { perSecond: number; burst: number }) {
  return z
    .string()
    .regex(/^\d+(\.\d+)?,\d+(\.\d+)?$/, { error: "must be '<per second>,<burst>', e.g. 20,40" })
    .transform((value) => value.split(",").map(Number) as [number, number])
    .refine(([perSecond]) => perSecond > 0, { error: "the rate must be above 0" })
    .refine(([, burst]) => Number.isInteger(burst) && burst >= 1, {
      error: "the burst must be a whole number, at least 1",
    })
    .transform(([perSecond, burst]) => ({ perSecond, burst }))
    .default(fallback);
}

const limitSettings = {
  SEND_LIMIT_PER_SOCKET: rateSetting(DEFAULT_LIMITS.sendPerSocket),
  SEND_LIMIT_PER_USER: rateSetting(DEFAULT_LIMITS.sendPerUser),
  CHECK_LIMIT_PER_USER: rateSetting(DEFAULT_LIMITS.checkPerUser),
  READ_LIMIT_PER_USER: rateSetting(DEFAULT_LIMITS.readPerUser),
  TYPING_LIMIT_PER_SOCKET: rateSetting(DEFAULT_LIMITS.typingPerSocket),
  TYPING_LIMIT_PER_USER: rateSetting(DEFAULT_LIMITS.typingPerUser),
  RECEIVED_LIMIT_PER_SOCKET: rateSetting(DEFAULT_LIMITS.receivedPerSocket),
  MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.socketsPerUser),
  SOCKET_COUNT_TIMEOUT_MS: z.coerce.number().int().min(10).default(DEFAULT_LIMITS.socketCountTimeoutMs),
  SEND_REFUSALS_BEFORE_CLOSE: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.closeAfterRefusedSends),
  TYPING_DROPS_BEFORE_CLOSE: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.closeAfterDroppedTyping),
  CONNECTS_PER_ADDRESS: rateSetting(DEFAULT_LIMITS.connectsPerAddress),
  SHUTDOWN_DEADLINE_MS: z.coerce.number().int().min(100).default(10_000),
};

// ────────────────────────────────────────────────────────────────────────────────

// --- Operating it: metrics and logs ---

const operationVariables = {
  // Unset (or empty): GET /api/metrics answers 404. Set: it requires `Authorization: Bearer <token>`.
  METRICS_TOKEN: z
    .string()
    .trim()
    .optional()
    .transform((token) => token || undefined)
    .pipe(z.string().min(16, { error: "METRICS_TOKEN must be at least 16 characters" }).optional()),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
};

// --- end of operating it ---

const environmentSchema = z.object({
  NODE_ENV: z.string().default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().optional(),
  THERMOMETERS: deviceList.default(["thermometer1"]),
  THERMOMETER_INTERVAL_MS: z.coerce.number().int().min(50).default(2000),
  THERMOMETER_REBOOT_MS: z.coerce.number().int().min(0).default(3000),
  THERMOMETER_RANGE: z
    .string()
    .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, { error: "THERMOMETER_RANGE must be 'min,max', e.g. 15,30" })
    .transform((range) => range.split(",").map(Number) as [number, number])
    .refine(([min, max]) => min < max, { error: "THERMOMETER_RANGE: min must be below max" })
    .default([15, 30]),
  THERMOMETER_RETENTION: z.coerce.number().int().min(100).default(10_000),
  /** The most members a group may have, its owner included (at least 2). */
  GROUP_MAX_MEMBERS: z.coerce.number().int().min(2).max(10_000).default(DEFAULT_GROUP_MAX_MEMBERS),
  ...edgeVariables,
  ...limitSettings,
  ...clusterVariables,
  ...storeVariables,
  ...operationVariables,
});

export type Config = DeviceSettings & {
  dev: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  http: EdgeSettings;
  /** What one client may cost (server/realtime/limits.ts). */
  limits: RealtimeLimits;
  /** How long shutdown may take before open connections are cut and the process gives up waiting. */
  shutdownDeadlineMs: number;
  /** Set when REDIS_URL is: this instance is one of several. */
  cluster: ClusterSettings | undefined;
  store: StoreSettings;
  login: LoginSettings;
  groups: GroupSettings;
  /** The bearer token GET /api/metrics requires; unset, the endpoint answers 404. */
  metricsToken: string | undefined;
  logLevel: LogLevel;
};

/** Reads the configuration from the environment; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = environmentSchema.superRefine(tlsFilesTogether).superRefine(locksInOrder).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`invalid configuration:\n${problems}`);
  }
  const e = result.data;
  return {
    dev: e.NODE_ENV !== "production",
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL || undefined,
    thermometers: e.THERMOMETERS,
    thermometer: {
      intervalMs: e.THERMOMETER_INTERVAL_MS,
      rebootMs: e.THERMOMETER_REBOOT_MS,
      min: e.THERMOMETER_RANGE[0],
      max: e.THERMOMETER_RANGE[1],
      retention: e.THERMOMETER_RETENTION,
    },
    http: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      allowedOrigins: new Set(e.ALLOWED_ORIGINS),
      trustProxyHops: e.TRUST_PROXY,
      tls: e.TLS_CERT && e.TLS_KEY ? { certFile: e.TLS_CERT, keyFile: e.TLS_KEY } : undefined,
      hstsMaxAge: e.HSTS_MAX_AGE,
      accountRequestsPerAddress: e.ACCOUNT_REQUESTS_PER_ADDRESS,
    },
    limits: {
      sendPerSocket: e.SEND_LIMIT_PER_SOCKET,
      sendPerUser: e.SEND_LIMIT_PER_USER,
      checkPerUser: e.CHECK_LIMIT_PER_USER,
      readPerUser: e.READ_LIMIT_PER_USER,
      typingPerSocket: e.TYPING_LIMIT_PER_SOCKET,
      typingPerUser: e.TYPING_LIMIT_PER_USER,
      receivedPerSocket: e.RECEIVED_LIMIT_PER_SOCKET,
      socketsPerUser: e.MAX_SOCKETS_PER_USER,
      socketCountTimeoutMs: e.SOCKET_COUNT_TIMEOUT_MS,
      closeAfterRefusedSends: e.SEND_REFUSALS_BEFORE_CLOSE,
      closeAfterDroppedTyping: e.TYPING_DROPS_BEFORE_CLOSE,
      connectsPerAddress: e.CONNECTS_PER_ADDRESS,
    },
    shutdownDeadlineMs: e.SHUTDOWN_DEADLINE_MS,
    cluster: e.REDIS_URL
      ? { redisUrl: e.REDIS_URL, leaseTtlMs: e.DEVICE_LEASE_TTL_MS, instanceTimeoutMs: e.INSTANCE_TIMEOUT_MS }
      : undefined,
    store: { busyTimeoutMs: e.STORE_BUSY_TIMEOUT_MS, maxPages: e.STORE_MAX_PAGES },
    groups: { maxMembers: e.GROUP_MAX_MEMBERS },
    login: {
      limits: {
        perAddress: e.LOGIN_ATTEMPTS_PER_ADDRESS,
        perName: e.LOGIN_ATTEMPTS_PER_NAME,
        firstLockMs: e.LOGIN_LOCK_MS,
        longestLockMs: e.LOGIN_LOCK_MAX_MS,
        signupsPerWindow: e.SIGNUPS_PER_ADDRESS,
        signupWindowMs: e.SIGNUP_WINDOW_MS,
      },
      hashConcurrency: e.PASSWORD_HASH_CONCURRENCY,
      hashQueue: e.PASSWORD_HASH_QUEUE,
    },
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
  };
}
