/** The server people connect to: plain HTTP, or HTTPS (and so WSS) when TLS_CERT and TLS_KEY name PEM files. */
import { readFileSync } from "node:fs";
import { createServer, type RequestListener, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { EdgeSettings } from "./settings";

export type WebServer = HttpServer | HttpsServer;

export function createWebServer(tls: EdgeSettings["tls"], listener: RequestListener): WebServer {
  if (!tls) return createServer(listener);
  return createHttpsServer({ cert: readPem("TLS_CERT", tls.certFile), key: readPem("TLS_KEY", tls.keyFile) }, listener);
}

function readPem(setting: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
