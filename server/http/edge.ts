/**
 * The server's edge: what every request meets before Next or Socket.IO. It stamps the request's facts (client
 * address, public origin), sets the security headers, refuses cross-site changes (403), bodies that announce
 * more than the limit (413) and an address's flood of logins and sign-ups (429), and answers upgrade requests
 * nobody serves instead of leaving them open.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { tokenFromAuthorizationHeader } from "../../lib/accounts/auth";
import { codeForStatus } from "../../lib/contract/codes";
import { isAccountRequest, tooManyAccountRequests } from "./account-door";
import { addressBudget } from "../../lib/limits/address-group";
import { declaresMoreThan, tooLarge } from "./body";
import { CROSS_SITE_REFUSED, changesState, isCrossSite } from "./origin";
import { clientAddress, isSecureRequest, publicOrigin, stampRequestFacts } from "./request-facts";
import { DATA_POLICY, newNonce, pagePolicy, securityHeaders } from "./security-headers";
import type { EdgeSettings } from "./settings";

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => unknown;
type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => unknown;
/** Answers whether someone took the upgrade. */
type UpgradeDoor = (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** Where requests go once the edge lets them through. */
export interface Downstream {
  /** Next's request handler. */
  handleRequest: RequestHandler;
  /** Next's upgrades; only development has one (the hot-reload socket), and Next listens once it served a page. */
  handleUpgrade: UpgradeDoor;
}

export interface Edge {
  /** The listener for the web server's requests: pages and the HTTP API, behind the edge. */
  handleRequest: RequestHandler;
  /**
   * Hooks the rest into the server. Call it after Socket.IO is attached: Socket.IO takes its own requests
   * before the request listener, so the facts are stamped by a listener put in front of everyone.
   */
  attach(server: HttpServer | HttpsServer): void;
}

const SOCKET_IO_PATH = "/socket.io/";
const NEXT_DEV_PATH = "/_next/";

export function createEdge(settings: EdgeSettings & { dev: boolean }, downstream: Downstream): Edge {
  const stamp = (request: IncomingMessage) => stampRequestFacts(request, settings.trustProxyHops);
  const accountRequests = addressBudget(settings.accountRequestsPerAddress);

  const setSecurityHeaders = (request: IncomingMessage, response: ServerResponse) => {
    const isApi = request.url?.startsWith("/api/") ?? false;
    const policy = isApi ? DATA_POLICY : pagePolicy(newNonce(), publicOrigin(request.headers), settings.dev);
    // Next takes the nonce for its scripts from the request's policy; a client's own copy must not choose it.
    delete request.headers["content-security-policy-report-only"];
    request.headers["content-security-policy"] = policy;
    for (const [name, value] of Object.entries(securityHeaders(policy, isSecureRequest(request.headers), settings))) {
      response.setHeader(name, value);
    }
  };

  const handleRequest: RequestHandler = (request, response) => {
    setSecurityHeaders(request, response);
    // A Bearer token is sent by the client itself, never by a browser on another site's behalf.
    const ambient = tokenFromAuthorizationHeader(request.headers.authorization) === undefined;
    if (ambient && changesState(request.method) && isCrossSite(request.headers, settings.allowedOrigins)) {
      return refuse(response, 403, CROSS_SITE_REFUSED);
    }
    if (declaresMoreThan(request.headers["content-length"], settings.maxBodyBytes)) {
      return refuse(response, 413, tooLarge(settings.maxBodyBytes).message);
    }
    // After the refusals above, so a request refused anyway (another site's form, say) spends nobody's budget.
    if (isAccountRequest(request)) {
      const verdict = accountRequests.take(clientAddress(request.headers));
      if (!verdict.allowed) {
        return refuse(response, 429, tooManyAccountRequests(verdict.retryAfterSeconds), {
          "Retry-After": String(verdict.retryAfterSeconds),
        });
      }
    }
    return downstream.handleRequest(request, response);
  };

  const handleUpgrade: UpgradeHandler = (request, socket, head) => {
    if (request.url?.startsWith(SOCKET_IO_PATH)) return; // Socket.IO's own upgrade listener answers it
    if (settings.dev && request.url?.startsWith(NEXT_DEV_PATH) && downstream.handleUpgrade(request, socket, head))
      return;
    // Nobody serves this path: answer and close, or the connection stays open for good.
    socket.on("error", () => socket.destroy());
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", () => socket.destroy());
  };

  return {
    handleRequest,
    attach(server) {
      server.prependListener("request", stamp);
      server.prependListener("upgrade", stamp);
      server.on("upgrade", handleUpgrade);
      // Without this listener Node answers `Expect: 100-continue` itself and invites a body the edge will refuse.
      server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => {
        if (declaresMoreThan(request.headers["content-length"], settings.maxBodyBytes)) {
          stamp(request);
          setSecurityHeaders(request, response);
          return refuse(response, 413, tooLarge(settings.maxBodyBytes).message);
        }
        response.writeContinue();
        server.emit("request", request, response);
      });
    },
  };
}

/** An `{error, code}` answer that also closes the connection, so an unread body is not waited for. */
function refuse(response: ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, "Content-Type": "application/json", Connection: "close" });
  response.end(JSON.stringify({ error, code: codeForStatus(status) }));
}
