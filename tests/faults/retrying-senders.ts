/**
 * Clients that behave as the chat's own clients must: every message has a clientId, a send that was
 * not acknowledged (timeout, dropped connection, a server that died) is sent again with the same
 * clientId until it is, and nothing else is assumed. Used to check that whatever happens to the
 * server, every acknowledged message is stored exactly once.
 */
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, SendAck, ServerToClientEvents } from "@/lib/contract/events";

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 3_000;
const RETRY_PAUSE_MS = 100;

export interface SenderPlan {
  sender: { username: string; token: string };
  destination: string;
  /** How many messages this sender sends, one after the other. */
  count: number;
}

export interface LoadReport {
  /** clientIds the server acknowledged (each counted once, however many times it was sent). */
  acknowledged: Set<string>;
  /** Sends that got no answer and were sent again. */
  retries: number;
  /** Answers `{ok: false}` (a clear error), each followed by a retry. */
  refusals: string[];
}

export const clientIdOf = (sender: string, index: number) => `${sender}-${index}`;

/** Runs every plan to the end (each message acknowledged) or until `deadlineMs` passes. */
export async function sendUntilAcknowledged(url: string, plans: SenderPlan[], deadlineMs: number): Promise<LoadReport> {
  const report: LoadReport = { acknowledged: new Set(), retries: 0, refusals: [] };
  const deadline = Date.now() + deadlineMs;
  const sockets: ChatSocket[] = [];
  try {
    await Promise.all(
      plans.map(async (plan) => {
        const socket: ChatSocket = io(url, {
          auth: { token: plan.sender.token },
          transports: ["websocket"],
          reconnectionDelay: 100,
          reconnectionDelayMax: 500,
        });
        sockets.push(socket);
        for (let index = 0; index < plan.count; index += 1) {
          const clientId = clientIdOf(plan.sender.username, index);
          const payload = { destination: plan.destination, message: `message ${index}`, clientId };
          while (!report.acknowledged.has(clientId)) {
            if (Date.now() > deadline) throw new Error(`${clientId} was never acknowledged`);
            const ack = await sendOnce(socket, payload);
            if (ack === undefined) report.retries += 1;
            else if (ack.ok) report.acknowledged.add(clientId);
            else report.refusals.push(ack.error);
            if (!ack?.ok) await pause(RETRY_PAUSE_MS);
          }
        }
      }),
    );
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
  return report;
}

/** One attempt: the ack, or undefined when none came (not connected, timed out, connection lost). */
async function sendOnce(
  socket: ChatSocket,
  payload: { destination: string; message: string; clientId: string },
): Promise<SendAck | undefined> {
  if (!socket.connected) {
    await new Promise((resolve) => {
      socket.once("connect", () => resolve(undefined));
      setTimeout(resolve, ACK_TIMEOUT_MS);
    });
    if (!socket.connected) return undefined;
  }
  try {
    return await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("message:send", payload);
  } catch {
    return undefined;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
