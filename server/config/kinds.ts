/** The kinds of value settings have, each with the words that tell a person what a good one looks like. */
import { z } from "zod";
import type { Rate } from "../../lib/limits/token-bucket";

/** A whole number in a range, with a default. */
export const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** `<per second>,<burst>`, e.g. `20,40`: a token bucket's refill rate and size. */
export function rate(fallback: Rate) {
  return z
    .string()
    .regex(/^\d+(\.\d+)?,\d+(\.\d+)?$/, { error: "must be '<per second>,<burst>', e.g. 20,40" })
    .transform((value) => value.split(",").map(Number) as [number, number])
    .refine(([perSecond]) => perSecond > 0, { error: "the rate must be above 0" })
    .refine(([, burst]) => Number.isInteger(burst) && burst >= 1, {
      error: "the burst must be a whole number, at least 1",
    })
    .transform(([perSecond, burst]): Rate => ({ perSecond, burst }))
    .default(fallback);
}

/** A comma-separated list, items trimmed, empty ones dropped. */
export const list = () =>
  z.string().transform((text) =>
    text
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** Text where empty counts as unset (`METRICS_TOKEN=` in an env file means none). */
export const optionalText = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((text) => text || undefined);
