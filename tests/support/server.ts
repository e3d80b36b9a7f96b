/**
 * Starts the real server (server/index.ts, production mode) as a child process on an ephemeral
 * port with its own SQLite file, and stops it by its PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const READY = /Chat ready on http:\/\/localhost:(\d+)/;
const START_TIMEOUT_MS = 60_000;

export interface TestServer {
  url: string;
  databaseFile: string;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM, then wait for the process to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export function tempDatabaseFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), "chat-test-")), "chat.db");
}

export async function startServer(
  options: { databaseFile?: string; env?: Record<string, string> } = {},
): Promise<TestServer> {
  const databaseFile = options.databaseFile ?? tempDatabaseFile();
  const child = spawn(process.execPath, [TSX, "server/index.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${databaseFile}`,
      THERMOMETER_INTERVAL_MS: "100",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("the server did not start in time")), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n${output}`));
    };
    child.stdout!.on("data", () => {
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => fail(new Error(`the server exited with code ${code} before it was ready`)));
  });

  return {
    url: `http://127.0.0.1:${port}`,
    databaseFile,
    output: () => output,
    stop: () => stopProcess(child),
  };
}

function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", (code) => {
      clearTimeout(force);
      resolve(code);
    });
    child.kill("SIGTERM");
  });
}

export function removeDatabase(databaseFile: string): void {
  rmSync(path.dirname(databaseFile), { recursive: true, force: true });
}
