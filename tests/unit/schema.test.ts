/**
 * The MongoDB schema (production) and the SQLite schema (embedded default) are both valid for
 * their connector and describe the same models, as Prisma itself parses them (not as text); the
 * store's MongoDB startup check asks for exactly the MongoDB schema's indexes; and the SQLite
 * migrations a server applies on start build exactly the SQLite schema. Offline: see
 * scripts/mongodb-offline-check.ts for how Prisma's CLI runs here without its engines.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { openStore } from "@/lib/store";
import { REQUIRED_INDEXES } from "@/lib/store/portable/mongodb-indexes";
import {
  type Datamodel,
  OfflineWorkspace,
  parseSchemas,
  ROOT,
  SQLITE_SCHEMA,
  validateSchemas,
} from "@/scripts/mongodb-offline-check";

let workspace: OfflineWorkspace;
let schemas: { mongodb: Datamodel; sqlite: Datamodel };

beforeAll(async () => {
  workspace = new OfflineWorkspace();
  schemas = await parseSchemas(workspace);
}, 120_000);
afterAll(() => workspace.remove());

test("both schemas pass `prisma validate`, each with its own configuration", async () => {
  await expect(validateSchemas(workspace)).resolves.toBeUndefined();
}, 120_000);

/** Everything about a model except where each connector stores it (`_id` on MongoDB). */
function shape(datamodel: Datamodel) {
  return {
    models: datamodel.models.map((model) => ({
      name: model.name,
      fields: model.fields.map(({ dbName: _stored, ...field }) => {
        const { nativeType: _native, ...portable } = field as typeof field & { nativeType?: unknown };
        return portable;
      }),
    })),
    indexes: datamodel.indexes,
  };
}

test("both schemas have the same models, fields, types, defaults, relations and indexes", () => {
  expect(schemas.mongodb.models.map((model) => model.name).sort()).toEqual([
    "Conversation",
    "Group",
    "Member",
    "Message",
    "Reading",
    "Receipt",
    "Session",
    "Subscription",
    "Throttle",
    "User",
  ]);
  expect(shape(schemas.sqlite)).toEqual(shape(schemas.mongodb));
});

test("every id is a string with a generated cuid, stored as _id on MongoDB", () => {
  for (const [connector, datamodel] of Object.entries(schemas)) {
    for (const model of datamodel.models) {
      const id = model.fields.find((field) => field.isId);
      expect({ connector, model: model.name, id: id && [id.name, id.type, id.default, id.dbName ?? null] }).toEqual({
        connector,
        model: model.name,
        id: ["id", "String", { name: "cuid", args: [1] }, connector === "mongodb" ? "_id" : null],
      });
    }
  }
});

test("the MongoDB startup check asks for exactly the indexes the MongoDB schema declares", () => {
  const declared = schemas.mongodb.indexes
    .filter((index) => index.type === "normal" || index.type === "unique")
    .map((index) => {
      const fields = schemas.mongodb.models.find((model) => model.name === index.model)!.fields;
      const keys = index.fields.map((key) => fields.find((field) => field.name === key.name)?.dbName ?? key.name);
      return { collection: index.model, keys, ...(index.type === "unique" ? { unique: true } : {}) };
    });
  const sorted = <T>(list: T[]) => list.map((item) => JSON.stringify(item)).sort();
  expect(sorted(REQUIRED_INDEXES)).toEqual(sorted(declared));
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
        env: { ...workspace.env(`file:${path.join(dir, "scratch.db")}`) },
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
