/**
 * Run by `npm run db:mongodb:push` after `prisma db push`: gives every message stored before receipts existed the
 * receipt of its one recipient, with its delivery and read marks (lib/store/portable/mongodb-receipts.ts).
 * Harmless to repeat.
 */
import { parseDatabaseUrl } from "../lib/store";
import { connectMongo, createMongoClient } from "../lib/store/portable/mongodb-client";
import { backfillReceipts } from "../lib/store/portable/mongodb-receipts";

async function main(): Promise<void> {
  const target = parseDatabaseUrl(process.env.DATABASE_URL);
  if (target.kind !== "mongodb") throw new Error("DATABASE_URL must point at MongoDB (mongodb://…)");
  const db = createMongoClient(target.url);
  await connectMongo(db);
  try {
    await backfillReceipts(db);
    console.log("receipts written for messages from before receipts existed");
  } finally {
    await db.$disconnect();
  }
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
