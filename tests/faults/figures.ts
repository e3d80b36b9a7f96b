/**
 * The fault run's figures, kept in docs/reliability-figures.json (one entry per scenario, replaced on
 * each run) so RELIABILITY.md can quote the last run and a reader can compare with their own.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../tools/root";

const FIGURES_FILE = path.join(ROOT, "docs", "reliability-figures.json");

export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(FIGURES_FILE, "utf8"));
  } catch {
    // first run: start a new file
  }
  all[scenario] = { ...figures, at: new Date().toISOString() };
  writeFileSync(FIGURES_FILE, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`${scenario}: ${JSON.stringify(figures)}`);
}
