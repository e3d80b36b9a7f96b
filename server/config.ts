import { z } from "zod";
import { USERNAME_PATTERN } from "../lib/protocol";

const deviceList = z
  .string()
  .transform((list) => list.split(",").map((name) => name.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(USERNAME_PATTERN, { error: "each THERMOMETERS name must be a valid username" })));

const environmentSchema = z.object({
  NODE_ENV: z.string().default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().optional(),
  THERMOMETERS: deviceList.default(["thermometer1"]),
  THERMOMETER_INTERVAL_MS: z.coerce.number().int().min(50).default(2000),
});

export type Config = {
  dev: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  thermometers: string[];
  thermometerIntervalMs: number;
};

/** Reads the configuration from the environment; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = environmentSchema.safeParse(env);
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
    thermometerIntervalMs: e.THERMOMETER_INTERVAL_MS,
  };
}
