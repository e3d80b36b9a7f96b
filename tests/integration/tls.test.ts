/**
 * Built-in HTTPS and WSS (TLS_CERT, TLS_KEY) against the real server process, with a self-signed certificate made
 * for the test by openssl. The shared test server helper only knows plain HTTP, so this file starts its own.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { uniqueName } from "../support/clients";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

function findOpenssl(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v openssl"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const openssl = findOpenssl();
const describeWithOpenssl = openssl ? describe : describe.skip;
if (!openssl) console.warn("tls.test.ts skipped: no openssl on this machine to make the test certificate");

describeWithOpenssl("built-in TLS (needs openssl to make a self-signed certificate)", () => {
  let folder: string;
  let cert: Buffer;
  let child: ChildProcess;
  let output = "";
  let base: string;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), "chat-tls-"));
    const [certFile, keyFile] = [path.join(folder, "cert.pem"), path.join(folder, "key.pem")];
    execFileSync(
      openssl!,
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
        .concat(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .concat(["-keyout", keyFile, "-out", certFile]),
      { stdio: "ignore" },
    );
    cert = readFileSync(certFile);
    child = spawn(process.execPath, [TSX, "server/index.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: `file:${path.join(folder, "chat.db")}`,
        TLS_CERT: certFile,
        TLS_KEY: keyFile,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
      child.stdout!.on("data", () => {
        const match = /Chat ready on (https?):\/\/localhost:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match);
        }
      });
      child.once("exit", (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
    });
    expect(ready[1]).toBe("https");
    base = `https://127.0.0.1:${ready[2]}`;
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** One HTTPS request that trusts only the test's certificate. */
  function request(
    route: string,
    options: { method?: string; headers?: Record<string, string>; json?: unknown } = {},
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
    return new Promise((resolve, reject) => {
      const body = options.json === undefined ? undefined : JSON.stringify(options.json);
      const headers = { ...options.headers, ...(body ? { "content-type": "application/json" } : {}) };
      const outgoing = https.request(new URL(route, base), { method: options.method ?? "GET", headers, ca: cert });
      outgoing.on("response", (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => {
          const json = response.headers["content-type"]?.includes("json") && text ? JSON.parse(text) : text;
          resolve({ status: response.statusCode!, headers: response.headers, body: json });
        });
      });
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }

  test("the page comes over HTTPS with HSTS, and its CSP allows its own wss: socket", async () => {
    const page = await request("/");
    expect(page.status).toBe(200);
    expect(page.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(page.headers["content-security-policy"]).toContain(`connect-src 'self' ${base.replace("https:", "wss:")}`);
  });

  test("the session cookie is __Host- and Secure; a plain chat_session cookie is not accepted over TLS", async () => {
    const username = uniqueName("tls");
    const login = await request("/api/session", { method: "POST", json: { username, password: "pw" } });
    expect(login.status).toBe(201);
    const setCookie = (login.headers["set-cookie"] as string[])[0]!;
    expect(setCookie).toMatch(/^__Host-chat_session=[^;]+; Path=\/; /);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; HttpOnly/);
    const cookie = setCookie.split(";")[0]!;
    expect((await request("/api/session", { headers: { cookie } })).body).toEqual({ user: { username } });
    const planted = await request("/api/session", { headers: { cookie: `chat_session=${login.body.token}` } });
    expect(planted.status).toBe(401);

    const logout = await request("/api/session", { method: "DELETE", headers: { cookie, origin: base } });
    expect(logout.status).toBe(204);
    expect((logout.headers["set-cookie"] as string[])[0]).toMatch(/^__Host-chat_session=; Path=\/; .*Secure/);
  });

  test("Socket.IO runs over WSS with the __Host- cookie from the page's origin", async () => {
    const login = await request("/api/session", {
      method: "POST",
      json: { username: uniqueName("wss"), password: "pw" },
    });
    const cookie = (login.headers["set-cookie"] as string[])[0]!.split(";")[0]!;
    const socket = io(base, {
      transports: ["websocket"],
      extraHeaders: { cookie, origin: base },
      ca: cert.toString(),
      reconnection: false,
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      });
      const ack = await socket
        .timeout(5_000)
        .emitWithAck("message:send", { destination: "thermometer1", message: "help" });
      expect(ack).toMatchObject({ ok: true, online: true });
    } finally {
      socket.disconnect();
    }
  });
});
