/**
 * CPU time of processes and their children, from /proc (Linux): how the two cores are shared between the servers,
 * the proxy, Redis and the load processes while a scenario runs.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  return ticksPerSecond;
}

/** utime + stime of one process in seconds, and its parent's PID; undefined once it is gone. */
function readStat(pid: number): { seconds: number; parent: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { seconds: (Number(fields[11]) + Number(fields[12])) / clockTicks(), parent: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** The PIDs given and every process below them (nginx's workers are children of its master). */
export function withDescendants(pids: number[]): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parents.set(Number(entry), stat.parent);
  }
  const found = new Set(pids);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (found.has(parent) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/** CPU seconds used so far by these processes and their descendants (as they are now). */
export function cpuSeconds(pids: number[]): number {
  return withDescendants(pids).reduce((sum, pid) => sum + (readStat(pid)?.seconds ?? 0), 0);
}
