/**
 * `npm run db:rebuild-conversations`: builds the conversation list's rows from the messages already
 * in the database named by DATABASE_URL. Needed once for a MongoDB database holding messages from
 * before the conversation rows existed (SQLite's migration does it by itself); harmless to repeat.
 */
import { parseDatabaseUrl } from "../lib/store";
import { createPrismaClient } from "../lib/store/prisma-client";
import { DEFAULT_RETRY_POLICY } from "../lib/store/retry";
import { rebuildConversations } from "../lib/store/portable/message-writes";

async function main(): Promise<void> {
  const db = createPrismaClient(parseDatabaseUrl(process.env.DATABASE_URL));
  await db.$connect();
  try {
    const messages = await rebuildConversations(db, DEFAULT_RETRY_POLICY);
    console.log(`conversation rows brought up to date from ${messages} messages`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
