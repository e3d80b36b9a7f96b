/**
 * MONGODB_BINARY_TARGETS: the platforms the MongoDB client's engine is generated for, so a
 * container image built on one platform runs on another (e.g. `native,linux-musl-openssl-3.0.x`
 * to build on Debian and run on Alpine). Prisma reads the schema's `binaryTargets = env(…)` as
 * JSON and fails when the variable is unset, so prisma.mongodb.config.ts sets it from this: a
 * comma-separated list or a JSON array, and `["native"]` (the platform generating) when unset.
 */
export function binaryTargetsJson(value: string | undefined): string {
  const trimmed = value?.trim();
  if (!trimmed) return JSON.stringify(["native"]);
  if (trimmed.startsWith("[")) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed) || !parsed.every((target) => typeof target === "string" && target)) {
      throw new Error(`MONGODB_BINARY_TARGETS must be a JSON array of platform names (got ${trimmed})`);
    }
    return JSON.stringify(parsed);
  }
  return JSON.stringify(
    trimmed
      .split(",")
      .map((target) => target.trim())
      .filter(Boolean),
  );
}
