/**
 * The indexes MongoDB must have before the store serves anyone: the ones `prisma db push` creates
 * from prisma/schema.prisma. MongoDB creates a collection on its first write, so a deployment that
 * never ran the push would start and work — with history and backlog sorted in memory, slower with
 * every message, and with usernames, session tokens and subscriptions no longer unique. Startup
 * therefore checks them and stops with the command that creates them. tests/unit/schema.test.ts
 * keeps this list equal to the schema's indexes.
 */
import type { MongoCommands } from "./mongodb-client";

export interface IndexSpec {
  collection: string;
  /** Field names as stored (`_id` for `id`), in order, all ascending. */
  keys: string[];
  unique?: boolean;
}

export const REQUIRED_INDEXES: IndexSpec[] = [
  { collection: "User", keys: ["username"], unique: true },
  { collection: "Session", keys: ["tokenHash"], unique: true },
  { collection: "Session", keys: ["userId"] },
  { collection: "Message", keys: ["sender", "destination", "timestamp", "_id"] },
  { collection: "Message", keys: ["sender", "clientKey"], unique: true },
  { collection: "Receipt", keys: ["messageId", "recipient"], unique: true },
  { collection: "Receipt", keys: ["recipient", "deliveredAt", "timestamp", "messageId"] },
  { collection: "Receipt", keys: ["recipient", "readAt", "conversation"] },
  { collection: "Receipt", keys: ["recipient", "conversation", "timestamp", "messageId"] },
  { collection: "Group", keys: ["name"], unique: true },
  { collection: "Member", keys: ["groupId", "username"], unique: true },
  { collection: "Member", keys: ["username"] },
  { collection: "Reading", keys: ["device", "timestamp", "_id"] },
  { collection: "Subscription", keys: ["username", "device"], unique: true },
  { collection: "Conversation", keys: ["owner", "peer"], unique: true },
  { collection: "Throttle", keys: ["key"], unique: true },
  { collection: "Throttle", keys: ["expiresAt"] },
];

export const CREATE_INDEXES_COMMAND = "npm run db:mongodb:push";

/** One entry of `listIndexes`, as Prisma's `$runCommandRaw` returns it (relaxed extended JSON). */
export interface ExistingIndex {
  key: Record<string, unknown>;
  unique?: unknown;
}

/** The required indexes that no existing index provides: same keys in the same order, ascending, unique where required. */
export function missingIndexes(required: IndexSpec[], existing: Record<string, ExistingIndex[]>): IndexSpec[] {
  return required.filter((spec) => !(existing[spec.collection] ?? []).some((index) => provides(index, spec)));
}

function provides(index: ExistingIndex, spec: IndexSpec): boolean {
  const keys = Object.entries(index.key ?? {});
  return (
    keys.length === spec.keys.length &&
    keys.every(([field, direction], i) => field === spec.keys[i] && numeric(direction) === 1) &&
    (!spec.unique || index.unique === true)
  );
}

/** Index directions arrive as numbers, or wrapped as canonical extended JSON ({"$numberInt": "1"}). */
function numeric(value: unknown): number {
  if (typeof value === "number") return value;
  if (value && typeof value === "object") {
    const wrapped = Object.values(value)[0];
    if (typeof wrapped === "string") return Number(wrapped);
  }
  return Number.NaN;
}

export function describeIndex(spec: IndexSpec): string {
  return `${spec.collection}(${spec.keys.join(", ")})${spec.unique ? " unique" : ""}`;
}

export function missingIndexesMessage(missing: IndexSpec[]): string {
  return (
    `MongoDB lacks ${missing.length === 1 ? "an index" : `${missing.length} indexes`} the store needs: ` +
    `${missing.map(describeIndex).join("; ")}. Create them with \`${CREATE_INDEXES_COMMAND}\` ` +
    "(prisma db push with prisma.mongodb.config.ts) against this DATABASE_URL, then start again."
  );
}

/** Stops the start when an index is missing, naming the command that creates it. */
export async function assertMongoIndexes(db: MongoCommands, required: IndexSpec[] = REQUIRED_INDEXES): Promise<void> {
  const collections = [...new Set(required.map((spec) => spec.collection))];
  // Collection names are the schema's own, but the lookup table still has no prototype to answer from.
  const existing: Record<string, ExistingIndex[]> = Object.create(null);
  for (const collection of collections) existing[collection] = await listIndexes(db, collection);
  const missing = missingIndexes(required, existing);
  if (missing.length > 0) throw new Error(missingIndexesMessage(missing));
}

async function listIndexes(db: MongoCommands, collection: string): Promise<ExistingIndex[]> {
  try {
    const result = await db.$runCommandRaw({ listIndexes: collection });
    const cursor = result.cursor as { firstBatch?: unknown } | undefined;
    return Array.isArray(cursor?.firstBatch) ? (cursor.firstBatch as ExistingIndex[]) : [];
  } catch (error) {
    // A collection nobody has written to yet does not exist, and so has no indexes.
    if (/NamespaceNotFound|ns does not exist/i.test((error as Error).message)) return [];
    throw error;
  }
}
