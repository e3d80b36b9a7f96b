/**
 * The edge's settings, validated in server/config.ts. The server publishes the part route handlers need under a
 * global key, for the same reason as the app context (lib/app-context.ts): Next bundles route handlers apart
 * from the server's modules, so a module-level value would exist twice.
 */
import type { Rate } from "../../lib/limits/token-bucket";
import { DEFAULT_MAX_BODY_BYTES } from "./body";

export interface EdgeSettings {
  /** MAX_BODY_BYTES: the largest request body accepted. */
  maxBodyBytes: number;
  /** ALLOWED_ORIGINS: origins besides the page's own that may send cookie-authenticated changes. */
  allowedOrigins: ReadonlySet<string>;
  /** TRUST_PROXY: how many reverse proxies in front of the server are believed (see forwarded.ts). */
  trustProxyHops: number;
  /** TLS_CERT and TLS_KEY: PEM files; when set the server speaks HTTPS and WSS itself. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** HSTS_MAX_AGE: seconds browsers should insist on HTTPS after a response over TLS; 0 sends no HSTS. */
  hstsMaxAge: number;
  /** ACCOUNT_REQUESTS_PER_ADDRESS: logins and sign-ups (POST /api/session) one client address may start. */
  accountRequestsPerAddress: Rate;
}

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
