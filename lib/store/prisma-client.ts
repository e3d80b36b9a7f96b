/**
 * One Prisma Client per process for the configured database.
 * The store is typed against the SQLite client (generated on every install); the MongoDB client is
 * generated only when MongoDB is chosen, has the same models and fields, and is loaded at run time.
 */
import path from "node:path";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { DatabaseTarget } from "./database-url";
import { retryWhenBusy } from "./sqlite-busy";

export type Database = PrismaClient;

/** Where prisma.mongodb.config.ts generates the MongoDB client (see prisma/schema.prisma). */
const MONGODB_CLIENT_DIR = path.join(process.cwd(), "node_modules", ".prisma", "mongodb-client");

export function createPrismaClient(target: DatabaseTarget): Database {
  if (target.kind === "sqlite") {
    return retryWhenBusy(new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${target.file}` }) }));
  }
  let generated: { PrismaClient: new (options: object) => Database };
  try {
    // A computed path keeps bundlers from resolving a module that exists only after the MongoDB generate step.
    generated = require(/* webpackIgnore: true */ MONGODB_CLIENT_DIR);
  } catch {
    throw new Error(
      "DATABASE_URL points at MongoDB but its Prisma client is not generated: run `npm run db:mongodb` (see README).",
    );
  }
  return new generated.PrismaClient({ datasourceUrl: target.url });
}
