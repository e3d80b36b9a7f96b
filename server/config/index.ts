/**
 * The configuration: every environment variable the server reads, validated with zod, a bad value stopping the
 * start with a message naming it. Each area declares its settings once (define.ts); this composes them into the
 * one Config the server is wired from. The README's configuration tables list the same variables.
 */
import { z } from "zod";
import { LOG_LEVELS } from "../log";
import { clusterArea } from "./cluster";
import { type AreaValue, area, setting } from "./define";
import { groupsArea, thermometerArea, thermometerNames } from "./devices";
import { edgeArea } from "./edge";
import { optionalText } from "./kinds";
import { limitsArea } from "./limits";
import { loginArea, storeArea } from "./store";

export type { ClusterSettings } from "./cluster";
export type { RealtimeLimits, SocketLimitSettings } from "./limits";
export type { StoreSettings } from "./store";

const configArea = area({
  /** `production` serves the `next build` output; anything else is development (hot reload, a relaxed CSP). */
  dev: setting(
    "NODE_ENV",
    z
      .string()
      .default("development")
      .transform((mode) => mode !== "production"),
  ),
  /** HTTP and Socket.IO port (`0` picks a free one). */
  port: setting("PORT", z.coerce.number().int().min(0).max(65535).default(3000)),
  host: setting("HOST", z.string().default("0.0.0.0")),
  /** `file:<path>` for SQLite (the default, ./data/chat.db), or `mongodb://…`. */
  databaseUrl: setting("DATABASE_URL", optionalText()),
  thermometers: thermometerNames,
  thermometer: thermometerArea,
  http: edgeArea,
  limits: limitsArea,
  /** How long shutdown may take before open connections are cut and the process gives up waiting. */
  shutdownDeadlineMs: setting("SHUTDOWN_DEADLINE_MS", z.coerce.number().int().min(100).default(10_000)),
  /** Set when REDIS_URL is: this instance is one of several. */
  cluster: clusterArea,
  store: storeArea,
  login: loginArea,
  groups: groupsArea,
  /** The bearer token GET /api/metrics requires; unset (or empty), the endpoint answers 404. */
  metricsToken: setting(
    "METRICS_TOKEN",
    optionalText().pipe(z.string().min(16, { error: "METRICS_TOKEN must be at least 16 characters" }).optional()),
  ),
  logLevel: setting("LOG_LEVEL", z.enum(LOG_LEVELS).default("info")),
});

export type Config = AreaValue<typeof configArea>;

/** Reads the configuration from the environment; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const config = configArea.read(env, (variable, message) => problems.push(`  ${variable}: ${message}`));
  if (problems.length > 0) throw new Error(`invalid configuration:\n${problems.join("\n")}`);
  return config;
}

/** Every variable the server reads (the README's configuration tables list them all; a test holds them to it). */
export const CONFIG_VARIABLES: readonly string[] = configArea.variables;
