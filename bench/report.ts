/**
 * Turns the measurements of every run into the table: medians across runs, app beside the bare relay
 * (baseline) and, for the send path, beside the floor — the least a store-before-ack server can do —
 * with targets.
 */
import type { Measurement } from "./scenarios/types";
import type { TargetKind } from "./support/processes";
import { median } from "./support/stats";

export interface RunMeasurements {
  run: number;
  app: Measurement[];
  baseline: Measurement[];
  floor: Measurement[];
}

export interface SummaryRow {
  scenario: string;
  metric: string;
  unit: string;
  app: number;
  baseline: number;
  /** Median over runs of app ÷ baseline from the same run. */
  ratio: number;
  /** The floor's figure and the median of app ÷ floor, for the scenarios measured on it (else NaN). */
  floor: number;
  ratioToFloor: number;
  target?: string;
  met?: boolean;
}

interface Target {
  scenario: string;
  matches: RegExp;
  text: string;
  met(row: SummaryRow): boolean;
}

/** The goals for this project on a 2-core machine. */
const TARGETS: Target[] = [
  { scenario: "throughput", matches: /^delivered/, text: "≥ 0.8× baseline", met: (row) => row.ratio >= 0.8 },
  { scenario: "latency", matches: /^send→receive p99 @2000\/s/, text: "≤ 10 ms", met: (row) => row.app <= 10 },
  { scenario: "connections", matches: /^RSS @10k/, text: "< 1024 MiB", met: (row) => row.app < 1024 },
  { scenario: "backlog", matches: /^10,000 stored/, text: "≤ 1000 ms", met: (row) => row.app <= 1000 },
  { scenario: "history", matches: /p99$/, text: "≤ 20 ms", met: (row) => row.app <= 20 },
];

export function summariseRuns(runs: RunMeasurements[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const key = (m: Measurement) => `${m.scenario}\u0000${m.metric}`;
  const seen = new Map<string, Measurement>();
  for (const run of runs)
    for (const m of [...run.app, ...run.baseline, ...run.floor]) if (!seen.has(key(m))) seen.set(key(m), m);
  for (const [k, m] of seen) {
    const values = (kind: TargetKind) => runs.map((run) => run[kind].find((x) => key(x) === k)?.value ?? Number.NaN);
    const app = values("app");
    const baseline = values("baseline");
    const floor = values("floor");
    const sameRunRatio = (to: number[]) => median(app.map((value, i) => value / to[i]!).filter(Number.isFinite));
    const row: SummaryRow = {
      scenario: m.scenario,
      metric: m.metric,
      unit: m.unit,
      app: median(app.filter(Number.isFinite)),
      baseline: median(baseline.filter(Number.isFinite)),
      ratio: sameRunRatio(baseline),
      floor: median(floor.filter(Number.isFinite)),
      ratioToFloor: sameRunRatio(floor),
    };
    const target = TARGETS.find((t) => t.scenario === m.scenario && t.matches.test(m.metric));
    if (target) Object.assign(row, { target: target.text, met: target.met(row) });
    rows.push(row);
  }
  return rows;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "—";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en");
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A Markdown table, readable in a terminal and pasteable into BENCHMARKS.md. */
export function markdownTable(rows: SummaryRow[], options: { judgeTargets: boolean }): string {
  const lines = [
    "| scenario | metric | unit | app | baseline | app ÷ baseline | floor | app ÷ floor | target | met |",
    "|---|---|---|---:|---:|---:|---:|---:|---|---|",
  ];
  for (const row of rows) {
    const met = !row.target || !options.judgeTargets ? "" : row.met ? "yes" : "**no**";
    const times = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "—");
    lines.push(
      `| ${[
        row.scenario,
        row.metric,
        row.unit,
        formatNumber(row.app),
        formatNumber(row.baseline),
        times(row.ratio),
        formatNumber(row.floor),
        times(row.ratioToFloor),
        row.target ?? "",
        met,
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}
