/**
 * GET /api/metrics: Prometheus's text format (prom-client), answered before Next like the health paths. Off unless
 * METRICS_TOKEN is set (404, as if there were no such path); with it, only `Authorization: Bearer <token>` is
 * answered (401 otherwise; the token is compared in constant time).
 *
 * What is counted is this instance's: Prometheus scrapes every instance and sums. The store reports its writes
 * through the StoreObserver interface (lib/ knows no metrics library); gauges are read when scraped.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { StoreObserver } from "../lib/store";
import { errorField, logger } from "./log";

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => unknown;

export const METRICS_PATH = "/api/metrics";

/** What the gauges read when scraped; set once the server has built them. */
export interface MetricsSources {
  /** Sockets connected to this instance. */
  connectedSockets(): number;
  /** Every device, and whether its job runs on this instance (always, on a single instance). */
  leadership(): { device: string; leader: boolean }[];
}

export class Metrics {
  readonly registry = new Registry();
  /** Handed to openStore: counts stored and delivered messages, times the group-commit writes. */
  readonly storeObserver: StoreObserver;
  private sources: MetricsSources | undefined;

  constructor(labels: { instance: string }) {
    const registers = [this.registry];
    // Prometheus labels each scrape with its target as `instance`; this names the process the logs name.
    new Gauge({
      name: "chat_instance_info",
      help: "Always 1; its label is the instance id every log line of this process carries",
      labelNames: ["instance_id"],
      registers,
    }).set({ instance_id: labels.instance }, 1);
    // Process CPU and memory, GC, handles, and the event loop's lag (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry });
    const stored = new Counter({
      name: "chat_messages_stored_total",
      help: "New messages stored by this instance (resends answered with the stored message are not counted)",
      registers,
    });
    const delivered = new Counter({
      name: "chat_messages_delivered_total",
      help: "Messages this instance marked delivered (each message once across the cluster)",
      registers,
    });
    const writes = new Histogram({
      name: "chat_store_write_seconds",
      help: "Duration of one group-commit write to the store (many messages or delivery marks in one statement)",
      labelNames: ["kind", "outcome"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const batch = new Histogram({
      name: "chat_store_write_items",
      help: "Items (messages or delivery marks) carried by one group-commit write",
      labelNames: ["kind"],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers,
    });
    const sources = () => this.sources;
    new Gauge({
      name: "chat_connected_sockets",
      help: "Socket.IO connections open on this instance",
      registers,
      collect() {
        this.set(sources()?.connectedSockets() ?? 0);
      },
    });
    new Gauge({
      name: "chat_device_leader",
      help: "1 when this instance runs the device's job (holds its lease), else 0",
      labelNames: ["device"],
      registers,
      collect() {
        this.reset();
        for (const { device, leader } of sources()?.leadership() ?? []) this.set({ device }, leader ? 1 : 0);
      },
    });
    this.storeObserver = {
      groupWrite(kind, items, seconds, ok) {
        writes.observe({ kind, outcome: ok ? "committed" : "failed" }, seconds);
        batch.observe({ kind }, items);
      },
      messageStored: () => stored.inc(),
      messagesDelivered: (count) => {
        if (count > 0) delivered.inc(count);
      },
    };
  }

  /** Where the gauges read from (the sockets and devices exist only after the store is open). */
  watch(sources: MetricsSources): void {
    this.sources = sources;
  }

  /** Answers GET /api/metrics and hands everything else to `next`. */
  around(token: string | undefined, next: RequestHandler): RequestHandler {
    const expected = token === undefined ? undefined : digest(token);
    return (request, response) => {
      if (request.url?.split("?")[0] !== METRICS_PATH) return next(request, response);
      if (expected === undefined) return answer(response, 404, "text/plain", "not found\n");
      if (request.method !== "GET" && request.method !== "HEAD") {
        return answer(response, 405, "text/plain", "use GET\n");
      }
      const presented = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
      // Equal-length digests, so the comparison takes the same time whatever was presented.
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
        response.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
        return answer(response, 401, "text/plain", "a valid bearer token is required\n");
      }
      return this.registry.metrics().then(
        (text) => answer(response, 200, this.registry.contentType, text),
        (error: unknown) => {
          logger.error(errorField(error), "metrics collection failed:");
          answer(response, 500, "text/plain", "metrics collection failed\n");
        },
      );
    };
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function answer(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { "Content-Type": contentType, "Cache-Control": "no-store" });
  response.end(body);
}
