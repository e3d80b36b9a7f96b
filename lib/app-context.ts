/**
 * Route handlers are bundled by Next apart from the server's own modules, so a module-level
 * singleton would exist twice. The server publishes the objects route handlers need under one
 * global key instead, and route handlers read them from there.
 */
import type { AccountService } from "./accounts/account-service";
import type { ChatService } from "./chat/chat-service";
import type { DeviceDirectory } from "./devices/device";

export interface AppContext {
  accounts: AccountService;
  chat: ChatService;
  devices: DeviceDirectory;
}

const APP_CONTEXT = Symbol.for("p2p-chat.app-context");
type WithAppContext = typeof globalThis & { [APP_CONTEXT]?: AppContext };

export function publishAppContext(context: AppContext | undefined): void {
  (globalThis as WithAppContext)[APP_CONTEXT] = context;
}

export function appContext(): AppContext {
  const context = (globalThis as WithAppContext)[APP_CONTEXT];
  if (!context)
    throw new Error("the chat server is not running: start the app with `npm run dev` or `npm start`, not `next`");
  return context;
}
