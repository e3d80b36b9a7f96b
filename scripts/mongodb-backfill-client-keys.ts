/**
 * Run by `npm run db:mongodb:push` before `prisma db push`: gives messages stored before `clientKey` existed
 * their own id as their key, so the unique (sender, clientKey) index can be built
 * (lib/store/portable/mongodb-client-keys.ts). A database without messages, or already done, is left as it is.
 */
import { parseDatabaseUrl } from "../lib/store";
import { connectMongo, createMongoClient } from "../lib/store/portable/mongodb-client";
import { backfillClientKeys } from "../lib/store/portable/mongodb-client-keys";

async function main(): Promise<void> {
  const target = parseDatabaseUrl(process.env.DATABASE_URL);
  if (target.kind !== "mongodb") throw new Error("DATABASE_URL must point at MongoDB (mongodb://…)");
  const db = createMongoClient(target.url);
  await connectMongo(db);
  try {
    const changed = await backfillClientKeys(db);
    if (changed > 0) console.log(`${changed} messages from before the clientKey field got their id as their key`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
