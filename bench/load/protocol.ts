/** What the harness asks a load process to do, and what it answers, over Node's IPC channel. */

export interface Client {
  username: string;
  token: string;
}

export type Pair = [sender: string, recipient: string];

export type Command =
  | {
      kind: "connect";
      url: string;
      clients: Client[];
      concurrency: number;
      deadlineMs?: number;
      /** Send the session cookie too: nginx (deploy/nginx.conf) picks the instance by it. */
      affinityCookie?: boolean;
    }
  | { kind: "throughput"; pairs: Pair[]; window: number; warmupMs: number; durationMs: number }
  | { kind: "latency"; pairs: Pair[]; ratePerSec: number; warmupMs: number; durationMs: number }
  | { kind: "backlog"; url: string; client: Client; backlogFlag: boolean; expected: number; timeoutMs: number }
  | { kind: "disconnect" };

export interface ConnectResult {
  /** Milliseconds from creating each socket to its `connect` event. */
  connectMs: number[];
  totalMs: number;
  failed: number;
  firstError?: string;
}

export interface ThroughputResult {
  delivered: number;
  acked: number;
  measuredMs: number;
  errors: number;
}

export interface LatencyResult {
  sent: number;
  receiveMs: number[];
  ackMs: number[];
  errors: number;
}

export interface BacklogResult {
  /** From creating the socket until the last expected message was received and acked. */
  ms: number;
  received: number;
}

export type Reply = { id: number; result: unknown } | { id: number; error: string };
export type Request = { id: number; command: Command };
