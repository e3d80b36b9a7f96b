import path from "node:path";

export const DEFAULT_SQLITE_FILE = path.join("data", "chat.db");

export type DatabaseTarget = { kind: "sqlite"; file: string } | { kind: "mongodb"; url: string };

/** Reads DATABASE_URL: unset or `file:…` is the embedded SQLite file, `mongodb://…` is MongoDB. */
export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  if (!url) return { kind: "sqlite", file: path.resolve(DEFAULT_SQLITE_FILE) };
  if (url.startsWith("mongodb://") || url.startsWith("mongodb+srv://")) return { kind: "mongodb", url };
  if (url.startsWith("file:")) return { kind: "sqlite", file: path.resolve(url.slice("file:".length)) };
  throw new Error(`DATABASE_URL must start with file: or mongodb:// (got "${url.split(":")[0]}:…")`);
}

/** The `file:` URL better-sqlite3's Prisma adapter expects for a SQLite DATABASE_URL. */
export function sqliteUrl(url: string | undefined): string {
  const target = parseDatabaseUrl(url);
  if (target.kind !== "sqlite") throw new Error("the SQLite configuration was given a MongoDB DATABASE_URL");
  return `file:${target.file}`;
}
