/**
 * The edge's settings, validated in server/config/edge.ts. The server publishes the part route handlers need under a
 * global key, for the same reason as the app context (lib/app-context.ts): Next bundles route handlers apart
 * from the server's modules, so a module-level value would exist twice.
 */
import type { AreaValue } from "../config/define";
import type { edgeArea } from "../config/edge";
import { DEFAULT_MAX_BODY_BYTES } from "./body";

/** The edge's settings (server/config/edge.ts declares each with its variable and default). */
export type EdgeSettings = AreaValue<typeof edgeArea>;

/** What route handlers read: only the body limit so far. */
export type RouteSettings = Pick<EdgeSettings, "maxBodyBytes">;

const ROUTE_SETTINGS = Symbol.for("p2p-chat.route-settings");
type WithRouteSettings = typeof globalThis & { [ROUTE_SETTINGS]?: RouteSettings };

export function publishRouteSettings(settings: RouteSettings | undefined): void {
  (globalThis as WithRouteSettings)[ROUTE_SETTINGS] = settings;
}

export function routeSettings(): RouteSettings {
  return (globalThis as WithRouteSettings)[ROUTE_SETTINGS] ?? { maxBodyBytes: DEFAULT_MAX_BODY_BYTES };
}
