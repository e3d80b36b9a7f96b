/**
 * Wires one chat server: store → Next → edge and HTTP(S) server → Socket.IO → services → device jobs.
 * Used by server/index.ts (the command line) and by the tests, which start it on port 0.
 */
import { EventEmitter } from "node:events";
import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Duplex } from "node:stream";
import next from "next";
import { AccountService } from "../lib/accounts/account-service";
import { publishAppContext } from "../lib/app-context";
import { ChatService } from "../lib/chat/chat-service";
import { createDevices, DeviceRegistry } from "../lib/devices";
import { loginProtection } from "../lib/accounts/login-protection";
import { openStore } from "../lib/store";
import { joinCluster } from "./cluster";
import type { Config } from "./config";
import { Health } from "./health";
import { createEdge } from "./http/edge";
import { publishRouteSettings } from "./http/settings";
import { createWebServer } from "./http/web-server";
import { withDeadline } from "./deadline";
import { InFlight } from "../lib/in-flight";
import { INSTANCE_ID } from "./log";
import { Metrics } from "./metrics";
import { attachChatHandlers, createSocketServer, SocketNotifier } from "./realtime";
import { addSecurityHeaders, refuseCrossSiteCookieHandshakes } from "./realtime/handshake";

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

/**
 * Next's view of the web server, for upgrades only: see startServer. Next listens on it for "upgrade" (from its
 * first request on); the edge emits there exactly the upgrades that are Next's. Answers whether Next was listening.
 */
function nextUpgradeDoor(): { server: HttpServer; handleUpgrade: (...args: UpgradeArgs) => boolean } {
  const server = new EventEmitter() as HttpServer;
  return { server, handleUpgrade: (...args) => server.emit("upgrade", ...args) };
}
type UpgradeArgs = [request: IncomingMessage, socket: Duplex, head: Buffer];

export async function startServer(config: Config): Promise<RunningServer> {
  // A self-hosted chat reports usage nowhere; Next reads this when it starts, so set it first.
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  const metrics = new Metrics({ instance: INSTANCE_ID });
  const database = await openStore(config.databaseUrl, {
    busyTimeoutMs: config.store.busyTimeoutMs,
    maxPages: config.store.maxPages || undefined,
    observer: metrics.storeObserver,
  });
  // With REDIS_URL this instance is one of several; without it nothing below touches Redis.
  const cluster = config.cluster ? await joinCluster(config.cluster) : undefined;
  const health = new Health({ store: database.ping, redis: cluster?.isReachable });
  const nextUpgrades = nextUpgradeDoor();
  const nextApp = next({
    dev: config.dev,
    dir: PROJECT_ROOT,
    hostname: config.host,
    port: config.port,
    // Next's request handler adds an upgrade listener of its own to the server it is given, or else to the server
    // of the first request it sees; on the real server that listener would route every WebSocket upgrade (each
    // Socket.IO connection, each upgrade to a path nobody serves) through Next's router to do nothing. So Next
    // gets a door of its own, and the edge passes through it only development's hot-reload socket. (Next's
    // getUpgradeHandler() is no way round this: on a custom server it answers nothing, and the page, which
    // waits for the hot-reload socket before it hydrates, stayed on "Loading…" under `npm run dev`.)
    httpServer: nextUpgrades.server,
  });
  await nextApp.prepare();
  const handleRequest = nextApp.getRequestHandler();

  const inFlight = new InFlight();
  const edge = createEdge(
    { ...config.http, dev: config.dev },
    {
      handleRequest: metrics.around(config.metricsToken, health.around(handleRequest)),
      handleUpgrade: nextUpgrades.handleUpgrade,
    },
  );
  const webServer = createWebServer(config.http.tls, edge.handleRequest);
  // Socket.IO takes its own requests (/socket.io/) before the edge's request listener sees them.
  const io = createSocketServer(webServer);
  cluster?.attach(io);
  edge.attach(webServer);
  // Before the authentication middleware (attachChatHandlers), so a cross-site handshake is refused first.
  refuseCrossSiteCookieHandshakes(io, config.http.allowedOrigins);
  addSecurityHeaders(io, { dev: config.dev, hstsMaxAge: config.http.hstsMaxAge });
  publishRouteSettings({ maxBodyBytes: config.http.maxBodyBytes });

  const notifier = cluster?.notifier ?? new SocketNotifier(io);
  const registry = new DeviceRegistry();
  const chat = new ChatService(database, notifier, {
    inFlight,
    devices: registry,
    groups: config.groups,
    allowances: { send: config.limits.sendPerUser, check: config.limits.checkPerUser, read: config.limits.readPerUser },
  });
  const devices = createDevices(config, {
    registry,
    chat,
    store: cluster?.fence(database.devices) ?? database.devices,
    notifier,
    wrap: cluster?.wrapDevice(chat),
  });
  const accounts = new AccountService(
    database.accounts,
    (name) => registry.isDeviceName(name),
    loginProtection(database.throttles, config.login),
    undefined,
    (name) => chat.groups.exists(name),
  );
  const context = { accounts, chat, devices };
  publishAppContext(context);
  attachChatHandlers(io, context, inFlight, config.limits);
  metrics.watch({
    connectedSockets: () => io.of("/").sockets.size,
    // On a single instance every device's job runs here.
    leadership: () => devices.all.map(({ name }) => ({ device: name, leader: cluster?.leads(name) ?? true })),
  });
  await cluster?.start(chat);
  devices.startJobs(); // in a cluster: each device's job starts where its lease is taken

  await new Promise<void>((resolve, reject) => {
    webServer.once("error", reject);
    webServer.listen(config.port, config.host, resolve);
  });
  const port = (webServer.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= withDeadline(
      (async () => {
        health.beginShutdown();
        await devices.stopJobs(); // in a cluster this also releases the device leases, so others take over at once
        await new Promise<void>((resolve) => {
          io.close(() => resolve()); // disconnects every socket and closes the HTTP server
          webServer.closeIdleConnections();
        });
        await inFlight.drain(SHUTDOWN_GRACE_MS);
        await cluster?.close();
        publishAppContext(undefined);
        publishRouteSettings(undefined);
        await nextApp.close();
        await database.close();
      })(),
      config.shutdownDeadlineMs,
      () => webServer.closeAllConnections(),
    ));

  const scheme = config.http.tls ? "https" : "http";
  return { url: `${scheme}://127.0.0.1:${port}`, port, close };
}
