/**
 * The real server (server/app.ts) started inside the test file's own process: production mode on
 * the `next build` global-setup made, an ephemeral port of 127.0.0.1, a SQLite file of its own.
 * Starting it here instead of in a child process saves a Node start, a TypeScript load and a
 * log-line handshake per server, and the tests reach exactly the code `npm start` runs after its
 * configuration is read (tests/integration/restart.test.ts covers the process around it).
 *
 * One server per test file at a time. Route handlers find the server's services under one key on
 * globalThis (lib/registry.ts), and Jest gives each test file a globalThis of its own, which the
 * server and the route handlers it loads share; a second server in the same file would take over
 * the first one's routes.
 */
import vm from "node:vm";
import { startServer, type RunningServer } from "@/server/app";
import { loadConfig } from "@/server/config";
import { tempDatabaseFile } from "../../tools/temp-database";
import { TEST_SERVER_ENV } from "./server-settings";

export { removeDatabase, tempDatabaseFile } from "../../tools/temp-database";

export interface TestServer {
  url: string;
  databaseFile: string;
  /** Stops the server the way SIGTERM does; the database file stays for a restart or for removeDatabase. */
  close(): Promise<void>;
}

let running: RunningServer | undefined;

export async function startTestServer(
  options: { databaseFile?: string; env?: Record<string, string> } = {},
): Promise<TestServer> {
  requireDynamicImport();
  if (running) throw new Error("this test file already runs a server: close it before starting another");
  // `npm start` runs with NODE_ENV=production, and Next and React read it at run time, not only
  // from `dev`; Jest set it to "test". This is the test file's own copy of the environment (typed
  // read-only by Next, hence the assign).
  Object.assign(process.env, { NODE_ENV: "production" });
  const databaseFile = options.databaseFile ?? tempDatabaseFile();
  // Only the test's own settings, never the shell's: a THERMOMETERS left in the environment must not change a test.
  const config = loadConfig({
    ...TEST_SERVER_ENV,
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${databaseFile}`,
    ...options.env,
  });
  const server = await startServer(config);
  running = server;
  return {
    url: server.url,
    databaseFile,
    async close() {
      await server.close();
      if (running === server) running = undefined;
    },
  };
}

/**
 * Next reads next.config.js with import(). Jest runs every module through node:vm, where Node
 * refuses import() unless it was started with --experimental-vm-modules (ERR_VM_DYNAMIC_IMPORT_
 * CALLBACK_MISSING_FLAG); `npm test` passes the flag, a bare `npx jest` does not.
 */
function requireDynamicImport(): void {
  if (typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === "function") return;
  throw new Error(
    "the in-process server needs Node's --experimental-vm-modules: run `npm test -- <files>` instead of `npx jest`",
  );
}
