/**
 * What the stores may use of a Prisma client: the models and the connection, nothing else. Both
 * connectors' clients fit this type, and it has no SQL (`$queryRaw…`, `$executeRaw…`, nor
 * `$transaction` or `$extends`, which hand out a client that has them), because MongoDB has none:
 * a store method that reached for SQL would compile and then fail on the first MongoDB request.
 * SQL lives only in the SQLite implementation, which runs it on better-sqlite3 connections of its own
 * (sqlite/writer.ts, sqlite/reader.ts); only the tuning and the checkpoint switch get the SQLite client itself.
 *
 * The MongoDB check (scripts/mongodb-offline-check.ts) compiles the portable implementation with
 * `@prisma/client` mapped onto the generated MongoDB client, so this type is then the MongoDB client's models.
 */
import type { PrismaClient } from "@prisma/client";

export type Database = Pick<
  PrismaClient,
  | "user"
  | "session"
  | "message"
  | "receipt"
  | "group"
  | "member"
  | "conversation"
  | "reading"
  | "subscription"
  | "throttle"
  | "$connect"
  | "$disconnect"
>;
