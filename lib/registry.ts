/**
 * Route handlers are bundled by Next apart from the server's own modules, so a module-level
 * singleton would exist twice. The server publishes its services under one global key instead,
 * and route handlers read them from there.
 */
import type { ChatService } from "./chat";
import type { DeviceDirectory } from "./devices";

export interface AppServices {
  chat: ChatService;
  devices: DeviceDirectory;
}

const APP_SERVICES = Symbol.for("p2p-chat.services");
type Registry = typeof globalThis & { [APP_SERVICES]?: AppServices };

export function publishServices(services: AppServices | undefined): void {
  (globalThis as Registry)[APP_SERVICES] = services;
}

export function appServices(): AppServices {
  const services = (globalThis as Registry)[APP_SERVICES];
  if (!services)
    throw new Error("the chat server is not running: start the app with `npm run dev` or `npm start`, not `next`");
  return services;
}
