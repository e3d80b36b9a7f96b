/**
 * Messages stored on MongoDB before `clientKey` existed have none. The unique (sender, clientKey) index that
 * `prisma db push` creates counts every missing key as the same value, so the push would fail on them, and
 * Prisma cannot read a message that lacks a required field. Before the push, `npm run db:mongodb:push` gives
 * each of them its own id as its key, as the store does for a message sent without a clientId. (An older
 * message's clientId is not taken over: two copies of one resend, which the old version could store, would
 * collide. A resend arriving across the upgrade is stored once more; their window is seconds.) It touches only
 * messages without a key, so running it again changes nothing.
 */
import type { MongoCommands } from "./mongodb-client";

/** The update command: every message without a clientKey gets `_id` as one (an update pipeline, MongoDB 4.2+). */
export const BACKFILL_CLIENT_KEYS = {
  update: "Message",
  updates: [{ q: { clientKey: { $exists: false } }, u: [{ $set: { clientKey: "$_id" } }], multi: true }],
};

/** Gives every message without a clientKey its id as one; returns how many it changed. */
export async function backfillClientKeys(db: MongoCommands): Promise<number> {
  const result = await db.$runCommandRaw(BACKFILL_CLIENT_KEYS);
  const changed = Number((result as { nModified?: unknown }).nModified ?? 0);
  return Number.isFinite(changed) ? changed : 0;
}
