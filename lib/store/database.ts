/**
 * What the stores may use of a Prisma client: the models and the connection, nothing else. Both
 * connectors' clients fit this type, and it has no SQL (`$queryRaw…`, `$executeRaw…`, nor
 * `$transaction` or `$extends`, which hand out a client that has them), because MongoDB has none:
 * a store method that reached for SQL would compile and then fail on the first MongoDB request.
 * SQL lives only in the SQLite fast paths, which are given the SQLite client itself (sqlite-client.ts).
 *
 * The MongoDB check (scripts/mongodb-offline-check.ts) compiles the stores with `@prisma/client`
 * mapped onto the generated MongoDB client, so this type is then the MongoDB client's models.
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
