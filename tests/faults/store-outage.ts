/**
 * A store outage under load, shared by the fault run's busy-store and full-store files: people send
 * steadily (half through sockets, half through POST /api/messages, each message once with a clientId)
 * and a reader loads the page, the people list and a history page, from before the outage until after
 * it ends. Every answer is timed and kept, and afterwards the store is counted, so the tests can say:
 * how fast each send was answered during the outage and with what, whether anything acknowledged is
 * missing (or anything refused stored), whether pages kept loading, and how soon sends worked again.
 */
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/contract/events";
import { api, login, type Person, sleep } from "../support/clients";
import { clientIdCounts } from "../support/store-faults";

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Longer than any bound the server promises, so a late answer is measured, not cut off. */
const ANSWER_TIMEOUT_MS = 30_000;
const SEND_PAUSE_MS = 50;
const READ_PAUSE_MS = 250;

export interface Answer {
  via: "socket" | "http";
  clientId: string;
  /** When it was sent, in ms since the load began. */
  sentAt: number;
  ms: number;
  ok: boolean;
  /** The HTTP status, or 200/0 for a socket ack that said ok / not ok. */
  status: number;
  error?: string;
}

export interface PageLoad {
  what: string;
  sentAt: number;
  ms: number;
  status: number;
}

export interface Outage {
  /** Makes the store unavailable; resolves once it is. */
  begin(): Promise<void> | void;
  /** Makes it available again; resolves once it is. */
  end(): Promise<void> | void;
  /** How long it stays unavailable. */
  lastsMs: number;
}

export interface OutageReport {
  during: Answer[];
  after: Answer[];
  pagesDuring: PageLoad[];
  /** ms from the end of the outage to the first send answered ok that was sent after it. */
  recoveryMs: number | undefined;
  acknowledged: number;
  /** Acknowledged, but not in the store: must be 0. */
  acknowledgedMissing: number;
  /** Refused with an error, yet stored: must be 0. */
  refusedStored: number;
  /** Stored more than once: must be 0. */
  doubled: number;
  /** Sends with no answer within 30 s: must be 0. */
  unanswered: number;
}

export async function sendThroughOutage(
  server: { url: string; databaseFile: string },
  options: { senders: number; outage: Outage; prefix: string; before?: number; after?: number },
): Promise<OutageReport> {
  const { url, databaseFile } = server;
  const people: Person[] = [];
  for (let i = 0; i < options.senders + 1; i += 1) people.push(await login(url, `${options.prefix}${i}`, "outage-pw"));
  const [reader, ...senders] = people;
  const recipient = reader!;
  await fetch(`${url}/`).then((response) => response.text());

  const started = performance.now();
  const now = () => performance.now() - started;
  const answers: Answer[] = [];
  const pages: PageLoad[] = [];
  let unanswered = 0;
  let stopping = false;
  const sockets: ChatSocket[] = [];

  const sendLoop = async (sender: Person, index: number) => {
    const via = index % 2 === 0 ? "socket" : "http";
    let socket: ChatSocket | undefined;
    if (via === "socket") {
      socket = io(url, { auth: { token: sender.token }, transports: ["websocket"], reconnection: false });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket!.once("connect", () => resolve());
        socket!.once("connect_error", reject);
      });
    }
    for (let n = 0; !stopping; n += 1) {
      const clientId = `${sender.username}-${n}`;
      const payload = { destination: recipient.username, message: `outage ${n} `.padEnd(200, "x"), clientId };
      const sentAt = now();
      try {
        if (socket) {
          const ack = await socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck("message:send", payload);
          answers.push({
            via,
            clientId,
            sentAt,
            ms: now() - sentAt,
            ok: ack.ok,
            status: ack.ok ? 200 : 0,
            ...(!ack.ok && { error: ack.error }),
          });
        } else {
          const { status, body } = await api(url, "/api/messages", {
            method: "POST",
            token: sender.token,
            json: payload,
            signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
          });
          answers.push({ via, clientId, sentAt, ms: now() - sentAt, ok: status === 201, status, error: body?.error });
        }
      } catch {
        unanswered += 1;
      }
      await sleep(SEND_PAUSE_MS);
    }
  };

  const readLoop = async () => {
    const reads: [string, () => Promise<number>][] = [
      [
        "GET /",
        async () => {
          const response = await fetch(`${url}/`);
          await response.text();
          return response.status;
        },
      ],
      ["GET /api/users", async () => (await api(url, "/api/users", { token: recipient.token })).status],
      [
        "GET /api/messages",
        async () => (await api(url, `/api/messages?with=${senders[0]!.username}`, { token: recipient.token })).status,
      ],
    ];
    for (let n = 0; !stopping; n += 1) {
      const [what, read] = reads[n % reads.length]!;
      const sentAt = now();
      const status = await read().catch(() => 0);
      pages.push({ what, sentAt, ms: now() - sentAt, status });
      await sleep(READ_PAUSE_MS);
    }
  };

  const loops = [...senders.map(sendLoop), readLoop()];
  await sleep(options.before ?? 1_000);
  const beganAt = now();
  await options.outage.begin();
  const inAt = now();
  await sleep(options.outage.lastsMs);
  await options.outage.end();
  const endedAt = now();
  await sleep(options.after ?? 3_000);
  stopping = true;
  await Promise.all(loops);
  for (const socket of sockets) socket.disconnect();

  // What was sent while the store was unavailable: after it surely was, and before it surely was not.
  const during = answers.filter((answer) => answer.sentAt >= inAt && answer.sentAt + answer.ms <= endedAt);
  const after = answers.filter((answer) => answer.sentAt >= endedAt);
  const firstOk = after.filter((answer) => answer.ok).sort((a, b) => a.sentAt + a.ms - (b.sentAt + b.ms))[0];

  const counts = clientIdCounts(databaseFile);
  const acknowledged = answers.filter((answer) => answer.ok);
  return {
    during,
    after,
    pagesDuring: pages.filter((page) => page.sentAt >= beganAt && page.sentAt <= endedAt),
    recoveryMs: firstOk ? firstOk.sentAt + firstOk.ms - endedAt : undefined,
    acknowledged: acknowledged.length,
    acknowledgedMissing: acknowledged.filter((answer) => !counts.has(answer.clientId)).length,
    refusedStored: answers.filter((answer) => !answer.ok && counts.has(answer.clientId)).length,
    doubled: [...counts.values()].filter((n) => n > 1).length,
    unanswered,
  };
}

/** The figures a report boils down to, for docs/reliability-figures.json. */
export function outageFigures(report: OutageReport): Record<string, unknown> {
  const times = report.during.map((answer) => answer.ms);
  const errors: Record<string, number> = {};
  for (const answer of report.during)
    if (!answer.ok) errors[answer.error ?? "?"] = (errors[answer.error ?? "?"] ?? 0) + 1;
  const pageTimes = report.pagesDuring.map((page) => page.ms);
  return {
    sendsDuringOutage: report.during.length,
    acceptedDuringOutage: report.during.filter((answer) => answer.ok).length,
    refusedDuringOutage: errors,
    sendAnswerP50Ms: round(percentile(times, 0.5)),
    sendAnswerMaxMs: round(Math.max(...times)),
    pageLoadsDuringOutage: report.pagesDuring.length,
    pageLoadsOk: report.pagesDuring.filter((page) => page.status === 200).length,
    pageLoadMaxMs: round(Math.max(...pageTimes)),
    recoveryMs: report.recoveryMs === undefined ? null : round(report.recoveryMs),
    sendsAfter: report.after.length,
    acceptedAfter: report.after.filter((answer) => answer.ok).length,
    acknowledged: report.acknowledged,
    acknowledgedMissing: report.acknowledgedMissing,
    refusedStored: report.refusedStored,
    doubled: report.doubled,
    unanswered: report.unanswered,
  };
}

export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export const round = (value: number) => Math.round(value * 100) / 100;
