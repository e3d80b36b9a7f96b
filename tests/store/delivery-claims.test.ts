/**
 * Delivery claims across processes: two connections to one SQLite file (as two instances have) claim the same
 * messages at the same moment, with the same time, and each message is reported delivered by exactly one of them —
 * on the SQLite fast path (UPDATE … RETURNING) and on its portable twin (one conditional update per message).
 */
import { openStore, type OpenStore } from "@/lib/store";
import { MessageStore } from "@/lib/store/message-store";
import { createPrismaClient, type Database } from "@/lib/store/prisma-client";
import { removeDatabase, tempDatabaseFile } from "../support/server";

let file: string;
let first: OpenStore;
let secondDb: Database;

beforeAll(async () => {
  file = tempDatabaseFile();
  first = await openStore(`file:${file}`);
  secondDb = createPrismaClient({ kind: "sqlite", file });
  await secondDb.$connect();
  await secondDb.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
});
afterAll(async () => {
  await first.close();
  await secondDb.$disconnect();
  removeDatabase(file);
});

describe.each(["sqlite", "mongodb"] as const)("two processes claiming one backlog (%s path)", (dialect) => {
  it("reports each message delivered exactly once", async () => {
    const recipient = `bob-${dialect}`;
    const one = new MessageStore(createPrismaClientFor(first), dialect);
    const two = new MessageStore(secondDb, dialect);
    const saved = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        one.saveMessage({ sender: "ann", destination: recipient, message: `m${i}`, type: "chat" }),
      ),
    );
    const ids = saved.map((message) => message.id);
    const at = new Date(); // the same moment on both sides
    const halves = [ids.slice(0, 200), ids.slice(100)]; // overlapping acks, as two tabs send
    const [a, b, c, d] = await Promise.all([
      one.markDelivered(recipient, halves[0]!, at),
      two.markDelivered(recipient, halves[1]!, at),
      one.markDelivered(recipient, halves[1]!, at),
      two.markDelivered(recipient, halves[0]!, at),
    ]);
    const reported = [...a, ...b, ...c, ...d].map((claim) => claim.id);
    expect(reported).toHaveLength(ids.length);
    expect(new Set(reported)).toEqual(new Set(ids));
  });
});

/** The store's own Prisma client is private; a second client on the same file behaves the same. */
const clients: Database[] = [];
function createPrismaClientFor(store: OpenStore): Database {
  if (store.target.kind !== "sqlite") throw new Error("SQLite only");
  const db = createPrismaClient(store.target);
  clients.push(db);
  return db;
}
afterAll(async () => {
  for (const db of clients) await db.$disconnect();
});
