/**
 * The fuzz suite's server and checks, shared by its two files (socket.fuzz.test.ts and http.fuzz.test.ts,
 * which Jest can run at once, each with a server process of its own): every socket event and every route,
 * fed random and adversarial payloads against the real server; the server stays up, every answer is a clear
 * error or a success (never a 500, never a silent hang), and nothing malformed reaches the store. FUZZ_RUNS
 * sets the cases per target.
 */
import Database from "better-sqlite3";
import fc from "fast-check";
import { USERNAME_PATTERN } from "@/lib/contract/names";
import { api, closeAllSockets, connect, login, type Person, type TestSocket } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { FUZZ_RUNS, hostileString } from "./hostile-values";

/** The transport closes a connection whose packet is over Socket.IO's maxHttpBufferSize: a clear refusal. */
export const MAX_PACKET_BYTES = 64 * 1024;
const CLEAR_HTTP_STATUSES = new Set([200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 429, 503]);
/** Refused by Node's HTTP parser before the app sees the request (URL or headers too long): no JSON body. */
const TRANSPORT_REFUSALS = new Set([414, 431]);

export interface FuzzServer {
  server: ServerProcess;
  alice: Person;
  bob: Person;
  /** Alice's socket, reconnected if the last case made the server close it. */
  liveSocket(): Promise<TestSocket>;
}

/** Starts the server for this file (limits raised so the fuzzer exercises validation rather than the rate limiter). */
export function startFuzzServer(): FuzzServer {
  jest.setTimeout(Math.max(120_000, FUZZ_RUNS * 400));
  let socket: TestSocket;
  const fuzz = {
    async liveSocket() {
      if (!socket.socket.connected) socket = await connect(fuzz.server.url, fuzz.alice.token);
      return socket;
    },
  } as FuzzServer;
  beforeAll(async () => {
    fuzz.server = await startTestServerProcess({
      env: {
        SEND_LIMIT_PER_SOCKET: "1000000,1000000",
        SEND_LIMIT_PER_USER: "1000000,1000000",
        TYPING_LIMIT_PER_SOCKET: "1000000,1000000",
        TYPING_LIMIT_PER_USER: "1000000,1000000",
        CHECK_LIMIT_PER_USER: "1000000,1000000",
        READ_LIMIT_PER_USER: "1000000,1000000",
      },
    });
    fuzz.alice = await login(fuzz.server.url, "fuzz_alice");
    fuzz.bob = await login(fuzz.server.url, "fuzz_bob");
    socket = await connect(fuzz.server.url, fuzz.alice.token);
  });
  afterAll(async () => {
    closeAllSockets();
    await fuzz.server.stop();
    removeDatabase(fuzz.server.databaseFile);
  });
  return fuzz;
}

export function expectClearAck(ack: unknown): void {
  expect(ack).toEqual(expect.objectContaining({ ok: expect.any(Boolean) }));
  const { ok, error } = ack as { ok: boolean; error?: unknown };
  if (!ok) {
    expect(typeof error).toBe("string");
    expect(error).not.toMatch(/internal error/);
  }
}

/**
 * The size of the frame Socket.IO puts on the wire for `emit(event, ...args)` with an ack: the packet type and ack id
 * (`42` + up to 10 digits) before the JSON array of the event name and its arguments. A payload just under the limit
 * can still make a frame over it, which the server rightly closes.
 */
const PACKET_HEADER_BYTES = 12;
export const packetSize = (event: string, args: unknown[]) =>
  PACKET_HEADER_BYTES + Buffer.byteLength(JSON.stringify([event, ...args.map((arg) => arg ?? null)]));

/** Sends that reach the store (a real recipient), so whatever the text holds is tested against what is kept. */
export const plausibleSend = fc.record(
  {
    destination: fc.constantFrom("fuzz_bob", "thermometer1"),
    message: hostileString,
    clientId: fc.option(hostileString, { nil: undefined }),
  },
  { requiredKeys: ["destination", "message"] },
);

export async function expectClearResponse(response: Response): Promise<void> {
  if (TRANSPORT_REFUSALS.has(response.status)) return;
  expect(CLEAR_HTTP_STATUSES).toContain(response.status);
  const text = await response.text();
  if (response.status >= 400) {
    expect(JSON.parse(text)).toEqual({ error: expect.any(String), code: expect.any(String) });
  }
}

/** After the cases: the server still serves, and everything stored is well-formed. */
export async function expectServingAndWellFormed({ server, alice }: FuzzServer): Promise<void> {
  const { status } = await api(server.url, "/api/users", { token: alice.token });
  expect(status).toBe(200);
  const db = new Database(server.databaseFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT sender, destination, message, clientId FROM "Message"`).all() as {
      sender: string;
      destination: string;
      message: string;
      clientId: string | null;
    }[];
    for (const row of rows) {
      expect(row.sender).toMatch(USERNAME_PATTERN);
      expect(row.destination).toMatch(USERNAME_PATTERN);
      expect(row.message.length).toBeGreaterThan(0);
      expect(row.message.length).toBeLessThanOrEqual(4_000);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters the server must refuse
      expect(row.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect((row.clientId ?? "").length).toBeLessThanOrEqual(64);
    }
    const users = db.prepare(`SELECT username FROM "User"`).all() as { username: string }[];
    for (const { username } of users) expect(username).toMatch(USERNAME_PATTERN);
  } finally {
    db.close();
  }
}
