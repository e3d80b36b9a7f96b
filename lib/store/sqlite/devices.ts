/**
 * The device store on SQLite: the portable implementation (../portable/devices.ts), but for the subscriptions every
 * socket's arrival reads, a statement prepared once on the writer's connection (writer.ts) instead of a Prisma query
 * that paid a query-plan compile and a fresh prepare each time. The portable code is its twin; the store suite runs
 * both on the same data.
 */
import type { Database } from "../database";
import { PortableDeviceStore } from "../portable/devices";
import type { RetryPolicy } from "../retry";
import type { SqliteConnections } from "./file";
import { SUBSCRIPTION } from "./tables";

const DEVICE = SUBSCRIPTION.pick("device");
const SUBSCRIPTIONS_OF = `SELECT ${DEVICE.select()} FROM "Subscription" WHERE "username" = ?`;

export class SqliteDeviceStore extends PortableDeviceStore {
  constructor(
    db: Database,
    retry: RetryPolicy,
    private readonly sqlite: SqliteConnections,
  ) {
    super(db, retry);
  }

  override subscriptionsOf(username: string): Promise<string[]> {
    return this.sqlite.busy.run(async () =>
      this.sqlite.writer
        .statement(SUBSCRIPTIONS_OF)
        .all(username)
        .map((row) => DEVICE.decode(row).device),
    );
  }
}
