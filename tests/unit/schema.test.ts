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
      .map((line) =>
        line
          .replace(/\/\/.*$/, "")
          .replace(/@map\("_id"\)/, "")
          .replace(/@db\.\w+(\([^)]*\))?/g, "")
          .trim()
          .replace(/\s+/g, " "),
      )
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

/** Tables with their columns, and indexes with their columns, as SQLite reports them. */
function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    return tables.flatMap((table) => {
      const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as {
        name: string;
        type: string;
        notnull: number;
        dflt_value: unknown;
        pk: number;
      }[];
      const indexes = db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number }[];
      return [
        `${table}: ${columns
          .map((c) =>
            `${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}${c.pk ? " PK" : ""} ${c.dflt_value ?? ""}`.trim(),
          )
          .sort()
          .join(", ")}`,
        ...indexes
          .map((index) => {
            const on = (db.prepare(`PRAGMA index_info("${index.name}")`).all() as { name: string }[]).map(
              (c) => c.name,
            );
            return `${table} ${index.unique ? "unique " : ""}index ${index.name}(${on.join(", ")})`;
          })
          .sort(),
      ];
    });
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
      [
        require.resolve("prisma/build/index.js"),
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        SQLITE_SCHEMA,
        "--script",
      ],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: `file:${path.join(dir, "scratch.db")}` },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
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
