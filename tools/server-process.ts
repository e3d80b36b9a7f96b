/**
 * The chat server as people run it (`npm start`: server/index.ts in production mode) in a child
 * process, on an ephemeral port of 127.0.0.1 with the SQLite file it is given.
 */
import { startListening, type ListeningProcess, type SpawnOptions } from "./processes";

const START_TIMEOUT_MS = 60_000;

export interface ServerProcess extends ListeningProcess {
  databaseFile: string;
}

export interface ServerProcessOptions {
  databaseFile: string;
  /** Settings on top of the production defaults, e.g. PORT to come back on the same address. */
  env?: Record<string, string>;
  /** How the benchmarks watch the server: Node flags and a higher open-file limit. */
  spawn?: Pick<SpawnOptions, "nodeFlags" | "raiseOpenFileLimit">;
  timeoutMs?: number;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const server = await startListening("server/index.ts", {
    ...options.spawn,
    env: serverEnvironment(options.databaseFile, options.env),
    timeoutMs: options.timeoutMs ?? START_TIMEOUT_MS,
  });
  return { ...server, databaseFile: options.databaseFile };
}

/** The environment a server process (the app or the benchmarks' relay) starts with. */
export function serverEnvironment(databaseFile: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${databaseFile}`,
    ...env,
  };
}
