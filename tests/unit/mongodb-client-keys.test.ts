/**
 * The clientKey backfill `npm run db:mongodb:push` runs before the push, as the command it sends MongoDB (the
 * MongoDB suite runs it against a real database when MONGODB_TEST_URL is set).
 */
import type { Prisma } from "@prisma/client";
import { backfillClientKeys } from "@/lib/store/portable/mongodb-client-keys";

test("sets clientKey to the message's _id on messages without one, in one multi-document update", async () => {
  const sent: Prisma.InputJsonObject[] = [];
  const db = {
    async $runCommandRaw(command: Prisma.InputJsonObject) {
      sent.push(command);
      return { n: 3, nModified: 3, ok: 1 };
    },
  };
  expect(await backfillClientKeys(db)).toBe(3);
  expect(sent).toEqual([
    {
      update: "Message",
      updates: [{ q: { clientKey: { $exists: false } }, u: [{ $set: { clientKey: "$_id" } }], multi: true }],
    },
  ]);
});

test("a database with nothing to change reports none", async () => {
  const db = { $runCommandRaw: async () => ({ n: 0, nModified: 0, ok: 1 }) };
  expect(await backfillClientKeys(db)).toBe(0);
});
