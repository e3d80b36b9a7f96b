/**
 * The MongoDB checks that need neither a server nor a download, run by the tests on every
 * `npm test` (tests/unit/schema.test.ts, tests/unit/mongodb-types.test.ts) and by hand with
 * `npm run check:mongodb`:
 *   - `prisma validate` of both schemas, each with its own configuration;
 *   - both schemas as Prisma parses them (scripts/prisma-datamodel-generator.cjs), for comparison;
 *   - the MongoDB client generated into a temporary folder, and the portable stores compiled with
 *     `@prisma/client` mapped onto it, so every query is type-checked against MongoDB's client.
 *
 * Prisma's CLI fetches its native engines even for steps that never start them. Prisma documents
 * PRISMA_QUERY_ENGINE_LIBRARY and PRISMA_SCHEMA_ENGINE_BINARY for using engine files from
 * elsewhere ("Using custom engine libraries or binaries"); pointed at a stand-in (an empty file),
 * validate and generate run offline. The generated client's types are real; its engine is not, so
 * it is never connected.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { binaryTargetsJson } from "../prisma/binary-targets";

const run = promisify(execFile);

export const ROOT = path.resolve(__dirname, "..");
const PRISMA_CLI = path.join(ROOT, "node_modules", "prisma", "build", "index.js");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const DATAMODEL_GENERATOR = path.join(ROOT, "scripts", "prisma-datamodel-generator.cjs");
export const MONGODB_SCHEMA = path.join(ROOT, "prisma", "schema.prisma");
export const SQLITE_SCHEMA = path.join(ROOT, "prisma", "sqlite", "schema.prisma");
const MONGODB_CLIENT_OUTPUT = 'output        = "../node_modules/.prisma/mongodb-client"';

/**
 * The store modules that run on MongoDB: every file of the portable implementation (and, through their imports, the
 * interfaces and shared pieces they use). The SQLite implementation and the wiring that picks one are not among them.
 */
export const PORTABLE_STORE_DIR = path.join(ROOT, "lib", "store", "portable");
export const PORTABLE_STORE_FILES = readdirSync(PORTABLE_STORE_DIR)
  .filter((file) => file.endsWith(".ts"))
  .map((file) => path.join(PORTABLE_STORE_DIR, file));

/** A part of Prisma's parsed schema (DMMF) — the fields the checks read. */
export interface Datamodel {
  models: {
    name: string;
    dbName: string | null;
    fields: {
      name: string;
      dbName?: string | null;
      kind: string;
      type: string;
      isRequired: boolean;
      isList: boolean;
      isId: boolean;
      isUnique: boolean;
      hasDefaultValue: boolean;
      default?: unknown;
      relationName?: string;
      relationFromFields?: string[];
      relationToFields?: string[];
      relationOnDelete?: string;
      documentation?: string;
    }[];
  }[];
  indexes: { model: string; type: "id" | "normal" | "unique" | "fulltext"; fields: { name: string }[] }[];
}

/** A scratch folder with a stand-in engine file; `node_modules` links to the project's so generators find @prisma/client. */
export class OfflineWorkspace {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), "chat-mongodb-check-"));
  private readonly standIn = path.join(this.dir, "stand-in-engine");

  constructor() {
    writeFileSync(this.standIn, "");
    symlinkSync(path.join(ROOT, "node_modules"), path.join(this.dir, "node_modules"), "dir");
  }

  /** What Prisma's CLI needs to run without a download; DATABASE_URL is never connected to. */
  env(databaseUrl: string): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PRISMA_QUERY_ENGINE_LIBRARY: this.standIn,
      PRISMA_SCHEMA_ENGINE_BINARY: this.standIn,
      MONGODB_BINARY_TARGETS: binaryTargetsJson(process.env.MONGODB_BINARY_TARGETS),
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const MONGODB_URL = "mongodb://offline-check.invalid:27017/chat?replicaSet=rs0";

async function prisma(workspace: OfflineWorkspace, args: string[], options: { cwd: string; databaseUrl: string }) {
  try {
    return await run(process.execPath, [PRISMA_CLI, ...args], {
      cwd: options.cwd,
      env: workspace.env(options.databaseUrl),
      timeout: 120_000,
    });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`prisma ${args.join(" ")} failed:\n${stdout}\n${stderr}`);
  }
}

/** `prisma validate` of each schema with its own configuration file, as a developer would run it. */
export async function validateSchemas(workspace: OfflineWorkspace): Promise<void> {
  await Promise.all([
    prisma(workspace, ["validate", "--config", "prisma.mongodb.config.ts"], { cwd: ROOT, databaseUrl: MONGODB_URL }),
    prisma(workspace, ["validate", "--config", "prisma.config.ts"], {
      cwd: ROOT,
      databaseUrl: `file:${path.join(workspace.dir, "unused.db")}`,
    }),
  ]);
}

/**
 * A copy of a schema in the workspace, generating into the workspace: the client (MongoDB only,
 * into `client/`) and the datamodel JSON (into `<name>.datamodel.json`).
 */
function scratchSchema(workspace: OfflineWorkspace, source: string, name: string): string {
  let text = readFileSync(source, "utf8");
  if (source === MONGODB_SCHEMA) {
    if (!text.includes(MONGODB_CLIENT_OUTPUT)) throw new Error(`expected ${MONGODB_CLIENT_OUTPUT} in ${source}`);
    text = text.replace(MONGODB_CLIENT_OUTPUT, 'output        = "./client"');
  }
  const provider = `node ${JSON.stringify(DATAMODEL_GENERATOR).slice(1, -1)}`;
  text += `\ngenerator datamodel {\n  provider = "${provider}"\n  output   = "./${name}.datamodel.json"\n}\n`;
  const file = path.join(workspace.dir, `${name}.prisma`);
  writeFileSync(file, text);
  return file;
}

/** Both schemas as Prisma parses them. */
export async function parseSchemas(workspace: OfflineWorkspace): Promise<{ mongodb: Datamodel; sqlite: Datamodel }> {
  const parse = async (source: string, name: string, databaseUrl: string) => {
    const schema = scratchSchema(workspace, source, name);
    await prisma(workspace, ["generate", "--schema", schema, "--generator", "datamodel"], {
      cwd: workspace.dir,
      databaseUrl,
    });
    return JSON.parse(readFileSync(path.join(workspace.dir, `${name}.datamodel.json`), "utf8")) as Datamodel;
  };
  const [mongodb, sqlite] = await Promise.all([
    parse(MONGODB_SCHEMA, "mongodb", MONGODB_URL),
    parse(SQLITE_SCHEMA, "sqlite", `file:${path.join(workspace.dir, "unused.db")}`),
  ]);
  return { mongodb, sqlite };
}

/** Generates the MongoDB client into `<workspace>/client`, with the stand-in engine. */
export async function generateMongoClient(workspace: OfflineWorkspace): Promise<string> {
  const schema = scratchSchema(workspace, MONGODB_SCHEMA, "mongodb");
  await prisma(workspace, ["generate", "--schema", schema, "--generator", "client"], {
    cwd: workspace.dir,
    databaseUrl: MONGODB_URL,
  });
  return path.join(workspace.dir, "client");
}

/**
 * Compiles the portable store modules with `@prisma/client` mapped onto the generated MongoDB
 * client, plus a file asserting that the generated client is the `MongoDatabase` the loader
 * returns (so `$runCommandRaw` is typed by the real client) and the SQL probes (tests/types).
 */
export async function typecheckAgainstMongoClient(workspace: OfflineWorkspace, clientDir: string): Promise<void> {
  const checks = path.join(workspace.dir, "checks");
  mkdirSync(checks, { recursive: true });
  writeFileSync(
    path.join(checks, "client-fits.ts"),
    [
      'import { PrismaClient } from "@prisma/client";',
      `import type { MongoDatabase } from ${JSON.stringify(path.join(PORTABLE_STORE_DIR, "mongodb-client"))};`,
      "// What createMongoClient returns is the generated MongoDB client, $runCommandRaw included.",
      "export const client: MongoDatabase = new PrismaClient();",
      "",
    ].join("\n"),
  );
  const tsconfig = {
    extends: path.join(ROOT, "tsconfig.json"),
    compilerOptions: {
      noEmit: true,
      incremental: false,
      plugins: [],
      types: ["node"],
      typeRoots: [path.join(ROOT, "node_modules", "@types")],
      paths: { "@/*": [path.join(ROOT, "*")], "@prisma/client": [clientDir] },
    },
    files: [...PORTABLE_STORE_FILES, path.join(checks, "client-fits.ts"), path.join(ROOT, "tests", "types", "sql.ts")],
    include: [],
  };
  const project = path.join(workspace.dir, "tsconfig.json");
  writeFileSync(project, JSON.stringify(tsconfig, null, 2));
  try {
    await run(process.execPath, [TSC, "-p", project], { cwd: workspace.dir, timeout: 180_000 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`the store does not compile against the MongoDB client:\n${stdout}\n${stderr}`);
  }
}

/** `npm run check:mongodb`: every offline MongoDB check, with how long each took. */
async function main(): Promise<void> {
  const workspace = new OfflineWorkspace();
  const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await step();
    console.log(`${what}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  };
  try {
    await timed("prisma validate, both schemas", () => validateSchemas(workspace));
    const clientDir = await timed("MongoDB client generated offline", () => generateMongoClient(workspace));
    await timed("store type-checked against the MongoDB client", () =>
      typecheckAgainstMongoClient(workspace, clientDir),
    );
  } finally {
    workspace.remove();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
}
