/**
 * Ids for messages, made by the app rather than the database so a batch of messages can be written
 * with one createMany and nothing read back. Shaped like Prisma's cuid (c + time + counter +
 * random, base 36), and within this process they sort in the order they were made: messages stored
 * in the same millisecond keep their order, since the id is what breaks timestamp ties.
 */
import { randomFillSync } from "node:crypto";

let lastMillis = 0;
let counter = 0;

/**
 * Random bytes for ids are drawn from a pool filled 1,024 ids at a time: a call into the system's generator per id
 * was 3 % of the server's CPU under a send load (one id per message, group and membership; receipts take random UUIDs).
 */
const RANDOM_BYTES_PER_ID = 6;
const randomPool = Buffer.alloc(RANDOM_BYTES_PER_ID * 1_024);
let poolOffset = randomPool.length;

function randomForId(): number {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const value = randomPool.readUIntBE(poolOffset, RANDOM_BYTES_PER_ID);
  poolOffset += RANDOM_BYTES_PER_ID;
  return value;
}

/** A new id and the timestamp it was made at (never earlier than the previous one, even if the clock steps back). */
export function newMessageId(now: number = Date.now()): { id: string; timestamp: Date } {
  if (now > lastMillis) {
    lastMillis = now;
    counter = 0;
  } else {
    counter += 1;
  }
  const random = randomForId().toString(36).padStart(10, "0").slice(-10);
  const id = `c${lastMillis.toString(36).padStart(9, "0")}${counter.toString(36).padStart(4, "0")}${random}`;
  return { id, timestamp: new Date(lastMillis) };
}
