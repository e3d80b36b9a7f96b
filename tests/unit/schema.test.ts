/**
 * The MongoDB schema (production) and the SQLite schema (embedded default) must describe the same
 * models; and the SQLite migrations a server applies on start must build exactly the SQLite schema.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { openStore } from "@/lib/store";

const ROOT = path.resolve(__dirname, "..", "..");
const MONGODB_SCHEMA = path.join(ROOT, "prisma", "schema.prisma");
const SQLITE_SCHEMA = path.join(ROOT, "prisma", "sqlite", "schema.prisma");

/** model → its field and index lines, without comments and connector-only attributes. */
function models(file: string): Record<string, string[]> {
  const source = readFileSync(file, "utf8");
  const result: Record<string, string[]> = {};
  for (const [, name, body] of source.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    result[name!] = body!
      .split("\n")
      .map((line) => line.replace(/\/\/.*$/, "").replace(/@map\("_id"\)/, "").replace(/@db\.\w+(\([^)]*\))?/g, "").trim().replace(/\s+/g, " "))
      .filter(Boolean);
  }
  return result;
}

test("both schemas have the same models, fields, types, defaults and indexes", () => {
  const mongodb = models(MONGODB_SCHEMA);
  const sqlite = models(SQLITE_SCHEMA);
  expect(Object.keys(mongodb).sort()).toEqual(["Message", "Reading", "Session", "Subscription", "User"]);
  expect(sqlite).toEqual(mongodb);
});

test("every id is a string with a generated default, so ids look the same on both databases", () => {
  for (const fields of Object.values(models(SQLITE_SCHEMA))) {
    expect(fields).toContain("id String @id @default(cuid())");
  }
});

function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations' ORDER BY name")
      .all() as { type: string; name: string; sql: string | null }[];
    return rows.map((row) => `${row.type} ${row.name}: ${(row.sql ?? "").replace(/\s+/g, " ")}`);
  } finally {
    db.close();
  }
}

test("the SQLite migrations build exactly the SQLite schema", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chat-schema-"));
  try {
    const migrated = path.join(dir, "migrated.db");
    const store = await openStore(`file:${migrated}`);
    await store.close();

    const expectedSql = execFileSync(
      process.execPath,
      [require.resolve("prisma/build/index.js"), "migrate", "diff", "--from-empty", "--to-schema-datamodel", SQLITE_SCHEMA, "--script"],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: `file:${path.join(dir, "scratch.db")}` }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    const fromSchema = path.join(dir, "from-schema.db");
    const db = new Database(fromSchema);
    db.exec(expectedSql);
    db.close();

    expect(schemaOf(migrated)).toEqual(schemaOf(fromSchema));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
