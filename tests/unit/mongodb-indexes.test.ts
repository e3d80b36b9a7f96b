/**
 * The startup check's comparison of the indexes MongoDB reports (listIndexes, as relaxed extended
 * JSON through Prisma's $runCommandRaw) with the ones the store needs.
 */
import {
  type ExistingIndex,
  missingIndexes,
  missingIndexesMessage,
  REQUIRED_INDEXES,
  type IndexSpec,
} from "@/lib/store/portable/mongodb-indexes";

/** What `prisma db push` leaves: the `_id_` index and one per schema index, named Prisma's way. */
function pushed(required: IndexSpec[]): Record<string, ExistingIndex[]> {
  const existing: Record<string, (ExistingIndex & { name: string; v: number })[]> = {};
  for (const spec of required) {
    existing[spec.collection] ??= [{ v: 2, key: { _id: 1 }, name: "_id_" }];
    existing[spec.collection]!.push({
      v: 2,
      key: Object.fromEntries(spec.keys.map((key) => [key, 1])),
      name: `${spec.collection}_${spec.keys.join("_")}_${spec.unique ? "key" : "idx"}`,
      ...(spec.unique ? { unique: true } : {}),
    });
  }
  return existing;
}

const message = (keys: string[]) => ({ collection: "Message", keys });

describe("missingIndexes", () => {
  it("finds nothing missing after a push", () => {
    expect(missingIndexes(REQUIRED_INDEXES, pushed(REQUIRED_INDEXES))).toEqual([]);
  });

  it("finds everything missing in a database nobody pushed to", () => {
    expect(missingIndexes(REQUIRED_INDEXES, {})).toEqual(REQUIRED_INDEXES);
  });

  it("takes only the same keys in the same order, all ascending", () => {
    const wanted = message(["destination", "deliveredAt", "timestamp", "_id"]);
    const having = (key: Record<string, unknown>) => missingIndexes([wanted], { Message: [{ key }] });
    expect(having({ destination: 1, deliveredAt: 1, timestamp: 1, _id: 1 })).toEqual([]);
    expect(having({ destination: 1.0, deliveredAt: { $numberInt: "1" }, timestamp: 1, _id: 1 })).toEqual([]);
    expect(having({ destination: 1, deliveredAt: 1, timestamp: 1 })).toEqual([wanted]); // the index before this version
    expect(having({ deliveredAt: 1, destination: 1, timestamp: 1, _id: 1 })).toEqual([wanted]);
    expect(having({ destination: 1, deliveredAt: 1, timestamp: -1, _id: -1 })).toEqual([wanted]);
    expect(having({ destination: 1, deliveredAt: 1, timestamp: 1, _id: 1, extra: 1 })).toEqual([wanted]);
  });

  it("takes a unique index only when it is unique", () => {
    const wanted: IndexSpec = { collection: "User", keys: ["username"], unique: true };
    expect(missingIndexes([wanted], { User: [{ key: { username: 1 } }] })).toEqual([wanted]);
    expect(missingIndexes([wanted], { User: [{ key: { username: 1 }, unique: true }] })).toEqual([]);
    const plain = message(["sender", "clientId"]);
    expect(missingIndexes([plain], { Message: [{ key: { sender: 1, clientId: 1 }, unique: true }] })).toEqual([]);
  });

  it("names what is missing and the command that creates it", () => {
    const text = missingIndexesMessage([
      { collection: "User", keys: ["username"], unique: true },
      message(["sender", "destination", "timestamp", "_id"]),
    ]);
    expect(text).toContain("User(username) unique; Message(sender, destination, timestamp, _id)");
    expect(text).toContain("npm run db:mongodb:push");
  });
});
