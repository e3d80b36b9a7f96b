/**
 * Ids for messages, made by the app rather than the database so a batch of messages can be written
 * with one createMany and nothing read back. Shaped like Prisma's cuid (c + time + counter +
 * random, base 36), and within this process they sort in the order they were made: messages stored
 * in the same millisecond keep their order, since the id is what breaks timestamp ties.
 */
import { randomBytes } from "node:crypto";

let lastMillis = 0;
let counter = 0;

/** A new id and the timestamp it was made at (never earlier than the previous one, even if the clock steps back). */
export function newMessageId(now: number = Date.now()): { id: string; timestamp: Date } {
  if (now > lastMillis) {
    lastMillis = now;
    counter = 0;
  } else {
    counter += 1;
  }
  const random = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(10, "0").slice(-10);
  const id = `c${lastMillis.toString(36).padStart(9, "0")}${counter.toString(36).padStart(4, "0")}${random}`;
  return { id, timestamp: new Date(lastMillis) };
}
