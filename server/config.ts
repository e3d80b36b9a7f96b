import { z } from "zod";
import { USERNAME_PATTERN } from "../lib/protocol";
import type { DeviceSettings } from "../lib/devices";

const deviceList = z
  .string()
  .transform((list) =>
    list
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(USERNAME_PATTERN, { error: "each THERMOMETERS name must be a valid username" })));

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
});

export type Config = DeviceSettings & {
  dev: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
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
    thermometer: {
      intervalMs: e.THERMOMETER_INTERVAL_MS,
      rebootMs: e.THERMOMETER_REBOOT_MS,
      min: e.THERMOMETER_RANGE[0],
      max: e.THERMOMETER_RANGE[1],
      retention: e.THERMOMETER_RETENTION,
    },
  };
}
