/**
 * The MongoDB client: generated only when MongoDB is chosen (`npm run db:mongodb:generate`) into
 * this project's node_modules/.prisma/mongodb-client, and loaded at run time. The store's types
 * come from the SQLite client; the MongoDB check (scripts/mongodb-offline-check.ts) compiles the
 * portable implementation, this file included, against the generated MongoDB client's own types.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Prisma } from "@prisma/client";
import type { Database } from "../database";

/** What the store uses of the MongoDB client beyond the models: raw commands (for the index check). */
export interface MongoCommands {
  $runCommandRaw(command: Prisma.InputJsonObject): PromiseLike<Prisma.JsonObject>;
}

export type MongoDatabase = Database & MongoCommands;

/** Found from this file rather than the working directory, so the server can be started from anywhere. */
export const MONGODB_CLIENT_DIR = path.resolve(
  __dirname,
  "..",
  "..",
  "..",
  "node_modules",
  ".prisma",
  "mongodb-client",
);

export function createMongoClient(url: string, clientDir: string = MONGODB_CLIENT_DIR): MongoDatabase {
  if (!existsSync(clientDir)) {
    throw new Error(
      `DATABASE_URL points at MongoDB but its Prisma client is not generated (no ${clientDir}): ` +
        "run `npm run db:mongodb:generate` (see README, Running on MongoDB).",
    );
  }
  let generated: { PrismaClient: new (options: object) => MongoDatabase };
  try {
    // A computed path keeps bundlers from resolving a module that exists only after the MongoDB generate step.
    generated = require(/* webpackIgnore: true */ clientDir);
  } catch (error) {
    throw new Error(`the MongoDB Prisma client in ${clientDir} could not be loaded: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return new generated.PrismaClient({ datasourceUrl: url });
}

/** Connects, and says what to do when the reason is the engine the client was generated with. */
export async function connectMongo(db: MongoDatabase): Promise<void> {
  try {
    await db.$connect();
  } catch (error) {
    const message = (error as Error).message;
    const hint = /query engine/i.test(message)
      ? " The client was generated for another platform: set MONGODB_BINARY_TARGETS (README) and run `npm run db:mongodb:generate` again."
      : "";
    throw new Error(`could not connect to MongoDB: ${message}${hint}`, { cause: error });
  }
}
