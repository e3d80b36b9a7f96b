/**
 * One temporary SQLite file opened twice: with the SQLite fast paths, and with only the portable Prisma Client code
 * MongoDB runs. The store suites ask both the same questions on the same rows.
 */
import { openStore, type OpenStore } from "@/lib/store";
import { removeDatabase, tempDatabaseFile } from "../../tools/temp-database";

export interface BothPaths {
  fast: OpenStore;
  portable: OpenStore;
  /** Closes both and removes the file. */
  close(): Promise<void>;
}

export async function openBothPaths(): Promise<BothPaths> {
  const file = tempDatabaseFile();
  const fast = await openStore(`file:${file}`);
  const portable = await openStore(`file:${file}`, { portable: true });
  return {
    fast,
    portable,
    close: async () => {
      await fast.close();
      await portable.close();
      removeDatabase(file);
    },
  };
}
