/**
 * MongoDB writes a message and its receipts without a transaction. A write that stored the message and then failed
 * on its receipts was not acknowledged; the resend (same clientId) must find the message and complete its receipts,
 * so the recipients still get it. Failures are injected through the seam around a portable store on a real file.
 */
import { openStore, type OpenStore } from "@/lib/store";
import { removeDatabase, tempDatabaseFile } from "../../tools/temp-database";
import { intercepted } from "./database-seam";

let store: OpenStore;
let file: string;
let failReceipts = 0;

beforeAll(async () => {
  file = tempDatabaseFile();
  store = await openStore(`file:${file}`, {
    portable: true,
    retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    wrap: (db) =>
      intercepted(db, (call) => {
        if (call.model === "receipt" && call.operation === "createMany" && failReceipts > 0) {
          failReceipts -= 1;
          throw new Error("the connection dropped");
        }
      }),
  });
});
afterAll(async () => {
  await store.close();
  removeDatabase(file);
});

test("a resend completes the receipts of a message stored without them", async () => {
  const send = () =>
    store.messages.save({
      sender: "ann",
      destination: "#g1",
      message: "to the group",
      type: "chat",
      clientId: "c-1",
      recipients: ["bob", "cat"],
    });
  failReceipts = 1;
  await expect(send()).rejects.toThrow("the connection dropped");
  expect(await store.messages.undelivered("bob", { limit: 10 })).toEqual([]);

  const resend = await send();
  expect(resend.resent).toBe(true);
  for (const member of ["bob", "cat"])
    expect((await store.messages.undelivered(member, { limit: 10 })).map((m) => m.id)).toEqual([resend.message.id]);
  // Once complete, a further resend writes nothing more.
  expect((await send()).message.id).toBe(resend.message.id);
  expect(await store.messages.markDelivered("bob", [resend.message.id], new Date())).toHaveLength(1);
});
