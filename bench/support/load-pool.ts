/** The harness's side of the load processes: start them, send commands, collect answers. */
import type { NodeProcess } from "../../tools/processes";
import type { Command, Reply } from "../load/protocol";
import { startLoadProcess } from "./processes";

export class LoadProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  private readonly ready: Promise<void>;

  constructor(private readonly load: NodeProcess = startLoadProcess()) {
    const child = load.child;
    child.on("error", () => {}); // a send racing the process's exit; run() reports it as "gone"
    this.ready = new Promise((resolve, reject) => {
      child.once("exit", (code) => {
        const error = new Error(`a load process exited with code ${code}`);
        reject(error);
        for (const waiter of this.pending.values()) waiter.reject(error);
        this.pending.clear();
      });
      child.on("message", (reply: Reply) => {
        if (reply.id === 0) return resolve();
        const waiter = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if ("error" in reply) waiter?.reject(new Error(`load process: ${reply.error}`));
        else waiter?.resolve(reply.result);
      });
    });
  }

  get pid(): number {
    return this.load.pid;
  }

  async run<T>(command: Command): Promise<T> {
    await this.ready;
    if (!this.load.child.connected) throw new Error("the load process is gone");
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.load.child.send({ id, command });
    });
  }

  stop(): Promise<void> {
    return this.load.stop(5_000).then(() => undefined);
  }
}

export class LoadPool {
  readonly processes: LoadProcess[];

  constructor(size: number) {
    this.processes = Array.from({ length: size }, () => new LoadProcess());
  }

  /** Splits `items` into one contiguous share per process. */
  share<T>(items: readonly T[]): T[][] {
    const size = Math.ceil(items.length / this.processes.length);
    return this.processes.map((_, i) => items.slice(i * size, (i + 1) * size));
  }

  /** Runs one command per process, built from that process's share, and waits for all answers. */
  all<T>(build: (index: number) => Command): Promise<T[]> {
    return Promise.all(this.processes.map((process, i) => process.run<T>(build(i))));
  }

  disconnect(): Promise<unknown> {
    return this.all(() => ({ kind: "disconnect" }));
  }

  stop(): Promise<unknown> {
    return Promise.all(this.processes.map((process) => process.stop()));
  }
}
