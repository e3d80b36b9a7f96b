/**
 * What a load balancer asks before sending traffic here, answered before Next (so a busy or broken app still
 * answers): `GET /api/health` says the process is alive; `GET /api/ready` says it can serve — the store answers, and
 * Redis does when this instance is one of several — and turns 503 the moment a graceful shutdown begins.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => unknown;

export interface ReadinessChecks {
  /** Resolves when the store answers a query. */
  store(): Promise<void>;
  /** Whether Redis answers; absent on a single instance. */
  redis?: () => Promise<boolean>;
}

const CHECK_TIMEOUT_MS = 2_000;

export class Health {
  private shuttingDown = false;

  constructor(private readonly checks: ReadinessChecks) {}

  /** From now on /api/ready answers 503. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** Answers the two health paths and hands everything else to `next`. */
  around(next: RequestHandler): RequestHandler {
    return (request, response) => {
      const path = request.url?.split("?")[0];
      if (path !== "/api/health" && path !== "/api/ready") return next(request, response);
      if (request.method !== "GET" && request.method !== "HEAD")
        return answer(response, 405, { error: "use GET", code: "invalid" });
      if (path === "/api/health") return answer(response, 200, { status: "alive" });
      return this.readiness().then(({ ready, ...details }) => answer(response, ready ? 200 : 503, details));
    };
  }

  private async readiness(): Promise<{ ready: boolean; status: string; store: string; redis?: string }> {
    if (this.shuttingDown) return { ready: false, status: "shutting down", store: "not checked" };
    const [store, redis] = await Promise.all([
      bounded(this.checks.store().then(() => true)),
      this.checks.redis ? bounded(this.checks.redis()) : Promise.resolve(undefined),
    ]);
    const ready = store && redis !== false;
    return {
      ready,
      status: ready ? "ready" : "not ready",
      store: store ? "ok" : "unreachable",
      ...(redis === undefined ? {} : { redis: redis ? "ok" : "unreachable" }),
    };
  }
}

function bounded(check: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS)));
  return Promise.race([check.catch(() => false), timeout]).finally(() => clearTimeout(timer));
}

function answer(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  response.end(JSON.stringify(body));
}
