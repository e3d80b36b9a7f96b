/**
 * The top self-time functions of a V8 CPU profile (node --cpu-prof), grouped by function and
 * source location. Also runnable on its own: `tsx bench/support/profile-summary.ts <file.cpuprofile>`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

export function topSelfTime(file: string, count = 15): HotFunction[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, { name: string; where: string; micros: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const frame = nodes.get(id)!.callFrame;
    const where = frame.url ? `${shortenUrl(frame.url)}:${frame.lineNumber + 1}` : "(native)";
    const key = `${frame.functionName}@${where}`;
    const entry = selfMicros.get(key) ?? { name: frame.functionName || "(anonymous)", where, micros: 0 };
    entry.micros += delta;
    selfMicros.set(key, entry);
  });
  return [...selfMicros.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, count)
    .map((entry) => ({
      name: entry.name,
      where: entry.where,
      selfMs: entry.micros / 1000,
      percent: (100 * entry.micros) / total,
    }));
}

/** Paths from node_modules keep the package name; the project's own files keep their relative path. */
function shortenUrl(url: string): string {
  const plain = url.replace(/^file:\/\//, "");
  const modules = plain.lastIndexOf("node_modules/");
  if (modules >= 0) return plain.slice(modules + "node_modules/".length);
  return path.relative(path.resolve(__dirname, "..", ".."), plain);
}

/** Self time per package (or the project's own code, Node internals, native), to see whose work dominates. */
export function selfTimeByPackage(file: string): { owner: string; percent: number }[] {
  const totals = new Map<string, number>();
  let sum = 0;
  for (const f of topSelfTime(file, Number.POSITIVE_INFINITY)) {
    const owner = f.where === "(native)" ? f.name : f.where.startsWith("node:") ? "node internals" : packageOf(f.where);
    totals.set(owner, (totals.get(owner) ?? 0) + f.percent);
    sum += f.percent;
  }
  return [...totals.entries()]
    .map(([owner, percent]) => ({ owner, percent: (100 * percent) / sum }))
    .sort((a, b) => b.percent - a.percent);
}

function packageOf(where: string): string {
  if (where.startsWith("wasm:")) return "wasm (Prisma query compiler)";
  const parts = where.split("/");
  if (parts[0]?.startsWith("@") || parts[0] === ".prisma") return `${parts[0]}/${parts[1]}`;
  return parts[0] === "lib" || parts[0] === "server" || parts[0] === "app" ? `project ${parts[0]}/` : parts[0]!;
}

export function formatHotFunctions(functions: HotFunction[]): string {
  return functions
    .map((f) => `${f.percent.toFixed(1).padStart(5)}%  ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`)
    .join("\n");
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    console.log(`${file}\n${formatHotFunctions(topSelfTime(file, 25))}\n`);
    console.log(
      `${selfTimeByPackage(file)
        .slice(0, 15)
        .map((p) => `${p.percent.toFixed(1).padStart(5)}%  ${p.owner}`)
        .join("\n")}\n`,
    );
  }
}
