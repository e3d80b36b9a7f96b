/** The HTTP edge (server/http): the body limit, cross-site origins, proxies, TLS, HSTS, logins per address. */
import { z } from "zod";
import type { Rate } from "../../lib/limits/token-bucket";
import { DEFAULT_MAX_BODY_BYTES } from "../http/body";
import { area, setting } from "./define";
import { list, rate } from "./kinds";

const origins = list().pipe(
  z.array(
    z
      .url({ protocol: /^https?$/, error: "each ALLOWED_ORIGINS entry must be an origin like https://chat.example" })
      .refine((origin) => new URL(origin).origin === origin.replace(/\/$/, ""), {
        error: "each ALLOWED_ORIGINS entry must be an origin only: scheme, host and port, no path",
      })
      .transform((origin) => new URL(origin).origin),
  ),
);

/** `false` (or unset, or 0): no proxy is believed; `true`: one; a number: that many in a row. */
const proxyHops = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(true|false|\d+)$/, { error: "TRUST_PROXY must be false, true (one proxy) or a number of proxies" })
  .transform((value) => (value === "true" ? 1 : value === "false" ? 0 : Number(value)))
  .pipe(z.number().int().max(10, { error: "TRUST_PROXY: at most 10 proxies" }));

/**
 * One address may start 10 logins or sign-ups at once, then one a second (3,600 an hour). Sessions last 30 days,
 * so people log in rarely: an office of 200 behind one NAT address arriving at 9:00 over a quarter of an hour is
 * about one login every 4 s, and even ten people pressing "log in" in the same second all get through. A script
 * gets ten requests through Next, then one a second; everything else is answered 429 at the edge.
 */
const ACCOUNT_REQUESTS_PER_ADDRESS: Rate = { perSecond: 1, burst: 10 };

export const edgeArea = area(
  {
    /** The largest request body accepted. */
    maxBodyBytes: setting(
      "MAX_BODY_BYTES",
      z.coerce
        .number()
        .int()
        .min(1024)
        .max(64 * 1024 * 1024)
        .default(DEFAULT_MAX_BODY_BYTES),
    ),
    /** Origins besides the page's own that may send cookie-authenticated changes. */
    allowedOrigins: setting(
      "ALLOWED_ORIGINS",
      origins.default([]).transform((list) => new Set(list)),
    ),
    /** How many reverse proxies in front of the server are believed (see server/http/forwarded.ts). */
    trustProxyHops: setting("TRUST_PROXY", proxyHops.default(0)),
    /** PEM files; when both are set the server speaks HTTPS and WSS itself. */
    tlsCert: setting("TLS_CERT", z.string().min(1).optional()),
    tlsKey: setting("TLS_KEY", z.string().min(1).optional()),
    /** Seconds browsers should insist on HTTPS after a response over TLS; 0 sends no HSTS. One year by default. */
    hstsMaxAge: setting("HSTS_MAX_AGE", z.coerce.number().int().min(0).default(31_536_000)),
    /** Logins and sign-ups (POST /api/session) one client address may start; past it 429 before Next runs. */
    accountRequestsPerAddress: setting("ACCOUNT_REQUESTS_PER_ADDRESS", rate(ACCOUNT_REQUESTS_PER_ADDRESS)),
  },
  ({ tlsCert, tlsKey, ...edge }, problem) => {
    // A certificate without its key (or the reverse) is a mistake, not a request for plain HTTP.
    if (Boolean(tlsCert) !== Boolean(tlsKey))
      problem(tlsCert ? "TLS_KEY" : "TLS_CERT", "TLS_CERT and TLS_KEY go together: set both (PEM files) or neither");
    const tls = tlsCert && tlsKey ? { certFile: tlsCert, keyFile: tlsKey } : undefined;
    return { ...edge, allowedOrigins: edge.allowedOrigins as ReadonlySet<string>, tls };
  },
);
