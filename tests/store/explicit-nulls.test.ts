/**
 * MongoDB tells a stored null from a missing field, and Prisma's `deliveredAt: null` / `readAt:
 * null` filters match only stored nulls: a receipt inserted without them would never be
 * delivered. So every create the portable store sends writes each nullable field explicitly.
 * Checked here on the calls themselves, against the nullable columns of the real schema.
 */
import Database from "better-sqlite3";
import { openStore, type OpenStore } from "@/lib/store";
import { removeDatabase, tempDatabaseFile } from "../../tools/temp-database";
import { intercepted, type ModelCall } from "./database-seam";

/** The rows a create-like call writes. */
function createdRows(call: ModelCall): Record<string, unknown>[] {
  if (call.operation === "create") return [call.args.data];
  if (call.operation === "createMany") return call.args.data;
  if (call.operation === "upsert") return [call.args.create];
  return [];
}

describe("every write of the portable store", () => {
  let store: OpenStore;
  let file: string;
  const calls: ModelCall[] = [];

  beforeAll(async () => {
    file = tempDatabaseFile();
    store = await openStore(`file:${file}`, {
      portable: true,
      wrap: (db) => intercepted(db, (call) => calls.push(call)),
    });
  });
  afterAll(async () => {
    await store.close();
    removeDatabase(file);
  });

  /** Nullable columns per table, from the migrated schema; Json columns aside (see portable/message-writes.ts). */
  function nullableColumns(): Map<string, string[]> {
    const db = new Database(file, { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
        .pluck()
        .all() as string[];
      return new Map(
        tables.map((table) => {
          const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as {
            name: string;
            type: string;
            notnull: number;
          }[];
          return [table, columns.filter((c) => !c.notnull && c.type !== "JSONB").map((c) => c.name)];
        }),
      );
    } finally {
      db.close();
    }
  }

  it("writes every nullable field, null or not", async () => {
    const user = (await store.accounts.createUser("ann", "hash"))!;
    await store.accounts.createSession(user.id, "token", new Date(Date.now() + 60_000));
    await store.messages.saveMessage({ sender: "ann", destination: "bob", message: "plain", type: "chat" });
    await store.messages.saveMessage({
      sender: "bob",
      destination: "ann",
      message: "with extras",
      type: "notification",
      metadata: { celsius: 20 },
      clientId: "c-1",
    });
    const group = await store.groups.create("team", "ann", ["bob"], new Date());
    await store.groups.addMember(group!.id, "cat", new Date());
    await store.messages.saveMessage({
      sender: "ann",
      destination: `#${group!.id}`,
      message: "to the group",
      type: "chat",
      recipients: ["bob", "cat"],
    });
    await store.devices.saveReading({ device: "thermometer1", value: 21, unit: "°C", timestamp: new Date() });
    await store.devices.subscribe("ann", "thermometer1");
    const now = new Date();
    await store.throttles.reserve("login ann", now, () => ({
      allow: true,
      next: { attempts: 1, until: null },
      expiresAt: new Date(now.getTime() + 60_000),
    }));

    const writes = calls.filter((call) => createdRows(call).length > 0);
    expect(new Set(writes.map((call) => `${call.model}.${call.operation}`))).toEqual(
      new Set([
        "user.create",
        "session.create",
        "message.createMany",
        "receipt.createMany",
        "group.create",
        "member.createMany",
        "member.create",
        "conversation.create",
        "reading.create",
        "subscription.upsert",
        "throttle.create",
      ]),
    );
    const nullable = nullableColumns();
    expect(nullable.get("Message")).toEqual(["clientId"]);
    expect(nullable.get("Receipt")).toEqual(["deliveredAt", "readAt", "deliveryClaim"]);
    expect(nullable.get("User")).toEqual(["lastSeen"]);
    expect(nullable.get("Throttle")).toEqual(["until"]);
    for (const call of writes) {
      const table = call.model[0]!.toUpperCase() + call.model.slice(1);
      for (const row of createdRows(call)) {
        for (const column of nullable.get(table) ?? [])
          expect({ [table]: column, in: column in row }).toEqual({ [table]: column, in: true });
      }
    }
  });
});
