/** The devices this server runs (lib/devices), and the size of groups. */
import { z } from "zod";
import { DEFAULT_GROUP_MAX_MEMBERS } from "../../lib/chat/group-service";
import { USERNAME_PATTERN } from "../../lib/contract/names";
import { area, setting } from "./define";
import { list } from "./kinds";

/** Comma-separated device names, each a username nobody can claim. */
export const thermometerNames = setting(
  "THERMOMETERS",
  list()
    .pipe(z.array(z.string().regex(USERNAME_PATTERN, { error: "each THERMOMETERS name must be a valid username" })))
    .default(["thermometer1"]),
);

export const thermometerArea = area(
  {
    intervalMs: setting("THERMOMETER_INTERVAL_MS", z.coerce.number().int().min(50).default(2000)),
    rebootMs: setting("THERMOMETER_REBOOT_MS", z.coerce.number().int().min(0).default(3000)),
    range: setting(
      "THERMOMETER_RANGE",
      z
        .string()
        .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, { error: "THERMOMETER_RANGE must be 'min,max', e.g. 15,30" })
        .transform((range) => range.split(",").map(Number) as [number, number])
        .refine(([min, max]) => min < max, { error: "THERMOMETER_RANGE: min must be below max" })
        .default([15, 30]),
    ),
    /** Readings kept per device; older ones are trimmed. */
    retention: setting("THERMOMETER_RETENTION", z.coerce.number().int().min(100).default(10_000)),
  },
  ({ range: [min, max], ...thermometer }) => ({ ...thermometer, min, max }),
);

export const groupsArea = area({
  /** The most members a group may have, its owner included (at least 2). */
  maxMembers: setting(
    "GROUP_MAX_MEMBERS",
    z.coerce.number().int().min(2).max(10_000).default(DEFAULT_GROUP_MAX_MEMBERS),
  ),
});
