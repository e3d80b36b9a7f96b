/**
 * Wires one chat server: store → Next → HTTP server → Socket.IO → services → device jobs.
 * Used by server/index.ts (the command line) and by the tests, which start it on port 0.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import next from "next";
import { AccountService } from "../lib/accounts";
import { publishAppContext } from "../lib/app-context";
import { ChatService } from "../lib/chat";
import { createDevices } from "../lib/devices";
import { openStore } from "../lib/store";
import type { Config } from "./config";
import { withDeadline } from "./deadline";
import { InFlight } from "./in-flight";
import { attachChatHandlers, createSocketServer, SocketNotifier } from "./realtime";

export interface RunningServer {
  url: string;
  port: number;
  /**
   * Stops accepting, lets in-flight writes finish, then closes the store. Safe to call twice.
   * Rejects, after cutting open connections, if that takes longer than the shutdown deadline.
   */
  close(): Promise<void>;
}

const PROJECT_ROOT = path.resolve(__dirname, "..");
const SHUTDOWN_GRACE_MS = 5_000;

export async function startServer(config: Config): Promise<RunningServer> {
  // A self-hosted chat reports usage nowhere; Next reads this when it starts, so set it first.
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  const database = await openStore(config.databaseUrl);
  const nextApp = next({ dev: config.dev, dir: PROJECT_ROOT, hostname: config.host, port: config.port });
  await nextApp.prepare();
  const handleRequest = nextApp.getRequestHandler();
  const handleUpgrade = nextApp.getUpgradeHandler();

  const inFlight = new InFlight();
  const httpServer: HttpServer = createServer((req, res) => void handleRequest(req, res));
  const io = createSocketServer(httpServer);
  httpServer.on("upgrade", (req, socket, head) => {
    if (!req.url?.startsWith("/socket.io/")) void handleUpgrade(req, socket, head);
  });

  const notifier = new SocketNotifier(io);
  const chat = new ChatService(database, notifier, { background: inFlight });
  const devices = createDevices(config, { chat, store: database.devices, notifier });
  const accounts = new AccountService(database.accounts, (name) => devices.isDeviceName(name));
  const context = { accounts, chat, devices };
  publishAppContext(context);
  attachChatHandlers(io, context, inFlight, config.limits);
  devices.startJobs();

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const port = (httpServer.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= withDeadline(
      (async () => {
        await devices.stopJobs();
        await new Promise<void>((resolve) => {
          io.close(() => resolve()); // disconnects every socket and closes the HTTP server
          httpServer.closeIdleConnections();
        });
        await inFlight.drain(SHUTDOWN_GRACE_MS);
        publishAppContext(undefined);
        await nextApp.close();
        await database.close();
      })(),
      config.shutdownDeadlineMs,
      () => httpServer.closeAllConnections(),
    ));

  return { url: `http://127.0.0.1:${port}`, port, close };
}
