/**
 * `npm run bench` — the app against a bare Socket.IO relay on the same machine, scenario by
 * scenario, each on a fresh server with a fresh copy of the seeded database.
 *
 *   --quick          small numbers, one run: the smoke test CI runs (exit code says whether the harness works)
 *   --runs N         repeat everything N times and report medians (default 3)
 *   --only a,b       only these scenarios (throughput, latency, connections, backlog, history, group, cluster)
 *   --profile        write a CPU profile of the app server per scenario and print its top functions
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildIfStale } from "../tools/build";
import { ROOT } from "../tools/root";
import { markdownTable, summariseRuns, type RunMeasurements } from "./report";
import { backlog } from "./scenarios/backlog";
import { cluster } from "./scenarios/cluster";
import { connections } from "./scenarios/connections";
import { groupFanout } from "./scenarios/group-fanout";
import { history } from "./scenarios/history";
import { latency } from "./scenarios/latency";
import { throughput } from "./scenarios/throughput";
import type { Measurement, OwnServersScenario, Scenario } from "./scenarios/types";
import { FULL, peopleNeeded, QUICK, type Settings } from "./settings";
import { LoadPool } from "./support/load-pool";
import { startTarget, type Target, type TargetKind } from "./support/processes";
import { formatHotFunctions, topSelfTime } from "./support/profile-summary";
import { copyFixture, seedFixture } from "./support/seed";

const SCENARIOS: (Scenario | OwnServersScenario)[] = [
  throughput,
  latency,
  connections,
  backlog,
  history,
  groupFanout,
  cluster,
];
const startsOwnServers = (scenario: Scenario | OwnServersScenario): scenario is OwnServersScenario =>
  "ownServers" in scenario;
const RESULTS_DIR = path.join(ROOT, "bench", "results");

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
  },
});

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<number> {
  const started = Date.now();
  const settings: Settings = { ...(args.quick ? QUICK : FULL), ...(args.runs ? { runs: Number(args.runs) } : {}) };
  const only = args.only?.split(",").map((name) => name.trim());
  const scenarios = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
  if (scenarios.length === 0)
    throw new Error(`--only names no scenario (choose from ${SCENARIOS.map((s) => s.name).join(", ")})`);
  const stamp = new Date().toISOString().slice(0, 16).replace(/:/g, "-");
  const profileRoot = args.profile ? path.join(RESULTS_DIR, `profiles-${stamp}`) : undefined;

  log("building the app if its sources changed (next build)…");
  buildIfStale();
  const workDir = mkdtempSync(path.join(os.tmpdir(), "chat-bench-"));
  const pool = new LoadPool(settings.loadProcesses);
  const live = new Set<Target>();
  const interrupt = () => {
    log("interrupted: stopping every process this run started");
    void Promise.all([...[...live].map((t) => t.stop()), pool.stop()]).finally(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);

  const problems: string[] = [];
  const runs: RunMeasurements[] = [];
  try {
    log(
      `seeding ${peopleNeeded(settings)} people, a ${settings.backlog.messages}-message backlog ` +
        `and a ${settings.history.messages}-message conversation…`,
    );
    const fixture = await seedFixture(workDir, {
      people: peopleNeeded(settings),
      backlogMessages: settings.backlog.messages,
      historyMessages: settings.history.messages,
    });
    log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    for (let run = 1; run <= settings.runs; run += 1) {
      const measurements: RunMeasurements = { run, app: [], baseline: [], floor: [] };
      const served = scenarios.filter((scenario): scenario is Scenario => !startsOwnServers(scenario));
      const groups = settings.serverPerScenario ? served.map((scenario) => [scenario]) : [served];
      for (const group of groups) {
        for (const kind of ["app", "baseline", "floor"] as TargetKind[]) {
          const scenariosOnTarget = kind === "floor" ? group.filter((scenario) => scenario.onFloor) : group;
          if (scenariosOnTarget.length === 0) continue;
          const label = group.length === 1 ? group[0]!.name : "all";
          const databaseFile = copyFixture(fixture, workDir, `${kind}-${label}-${run}`);
          const profileDir = kind === "app" && profileRoot ? path.join(profileRoot, label) : undefined;
          const target = await startTarget(kind, { databaseFile, profileDir });
          live.add(target);
          const problem = (description: string) => problems.push(`run ${run}: ${description}`);
          try {
            for (const scenario of scenariosOnTarget) {
              const scenarioStart = Date.now();
              try {
                const results: Measurement[] = await scenario.run({
                  target,
                  databaseFile,
                  fixture,
                  pool,
                  settings,
                  problem,
                });
                measurements[kind].push(...results);
                const summary = results.map((m) => `${m.metric} ${Number(m.value).toFixed(1)} ${m.unit}`).join("; ");
                log(
                  `run ${run}/${settings.runs} ${scenario.name} ${kind}: ${summary} (${secondsSince(scenarioStart)} s)`,
                );
              } catch (error) {
                problem(
                  `${scenario.name} on ${kind} failed: ${(error as Error).stack}\n${target.output().slice(-2000)}`,
                );
                await pool.disconnect().catch(() => undefined);
              }
            }
          } finally {
            await target.stop();
            live.delete(target);
            for (const suffix of ["", "-wal", "-shm"]) rmSync(databaseFile + suffix, { force: true });
          }
          if (kind === "app" && /error|failed/i.test(target.output())) {
            problem(`the app server logged errors during ${label}:\n${target.output().slice(-2000)}`);
          }
        }
      }
      for (const scenario of scenarios.filter(startsOwnServers)) {
        for (const kind of ["app", "baseline"] as TargetKind[]) {
          const databaseFile = copyFixture(fixture, workDir, `${kind}-${scenario.name}-${run}`);
          const problem = (description: string) => problems.push(`run ${run}: ${description}`);
          const scenarioStart = Date.now();
          try {
            const results = await scenario.run({ kind, workDir, databaseFile, fixture, pool, settings, problem });
            measurements[kind].push(...results);
            log(
              `run ${run}/${settings.runs} ${scenario.name} ${kind}: ${results.length} figures (${secondsSince(scenarioStart)} s)`,
            );
          } catch (error) {
            problem(`${scenario.name} on ${kind} failed: ${(error as Error).stack}`);
            await pool.disconnect().catch(() => undefined);
          } finally {
            for (const suffix of ["", "-wal", "-shm"]) rmSync(databaseFile + suffix, { force: true });
          }
        }
      }
      runs.push(measurements);
    }
  } finally {
    await pool.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const rows = summariseRuns(runs);
  const table = markdownTable(rows, { judgeTargets: !args.quick });
  const elapsedSeconds = (Date.now() - started) / 1000;
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
  console.log(`\n${table}\n`);
  console.log(
    `${settings.runs} run(s), medians; ratios are app ÷ baseline and app ÷ floor within each run. ` +
      `${machine.cpus} cores, ${machine.memoryGiB} GiB, Node ${machine.node}. Took ${elapsedSeconds.toFixed(0)} s.`,
  );

  if (profileRoot) printProfiles(profileRoot);
  mkdirSync(RESULTS_DIR, { recursive: true });
  // A partial run (--only) gets its own file, so it never replaces the day's full results.
  const suffix = `${args.quick ? ".quick" : ""}${only ? `.${only.join("-")}` : ""}`;
  const resultsFile = path.join(RESULTS_DIR, `${stamp.slice(0, 10)}${suffix}.json`);
  writeFileSync(
    resultsFile,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        quick: args.quick,
        elapsedSeconds,
        machine,
        settings,
        summary: rows,
        runs,
        problems,
      },
      null,
      2,
    )}\n`,
  );
  log(`results written to ${path.relative(ROOT, resultsFile)}`);

  if (problems.length > 0) {
    console.error(`\n${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join("\n")}`);
    return 1;
  }
  return 0;
}

function printProfiles(profileRoot: string): void {
  for (const scenario of readdirSync(profileRoot)) {
    for (const file of readdirSync(path.join(profileRoot, scenario))) {
      const fullPath = path.join(profileRoot, scenario, file);
      console.log(`\nCPU profile of the app during ${scenario} (${path.relative(ROOT, fullPath)}), top self time:`);
      console.log(formatHotFunctions(topSelfTime(fullPath)));
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.stack);
    process.exit(1);
  },
);

/** Seconds since `start` (a Date.now()), to a tenth, for the progress lines. */
function secondsSince(start: number): string {
  return ((Date.now() - start) / 1000).toFixed(1);
}
