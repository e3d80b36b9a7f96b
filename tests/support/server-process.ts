/**
 * The real server as a child process, for the tests that need a process: SIGTERM and its exit
 * code, a restart on the same SQLite file, and the browser tests.
 */
import { startServerProcess, type ServerProcess } from "../../tools/server-process";
import { tempDatabaseFile } from "../../tools/temp-database";
import { TEST_SERVER_ENV } from "./server-settings";

export { removeDatabase, tempDatabaseFile } from "../../tools/temp-database";
export type { ServerProcess } from "../../tools/server-process";

export function startTestServerProcess(
  options: { databaseFile?: string; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  return startServerProcess({
    databaseFile: options.databaseFile ?? tempDatabaseFile(),
    env: { ...TEST_SERVER_ENV, ...options.env },
  });
}
