import type { LoadPool } from "../support/load-pool";
import type { Target, TargetKind } from "../support/processes";
import type { Fixture } from "../support/seed";
import type { Settings } from "../settings";

/** One number a scenario reports for one target. */
export interface Measurement {
  scenario: string;
  metric: string;
  unit: string;
  value: number;
  /** Whether a bigger number is better (throughput) or worse (latency, memory, time). */
  better: "higher" | "lower";
}

export interface ScenarioContext {
  target: Target;
  /** The target's own copy of the seeded database. */
  databaseFile: string;
  fixture: Fixture;
  pool: LoadPool;
  settings: Settings;
  /** Something that shows the harness or the server misbehaved; fails the run (and `--quick` in CI). */
  problem(description: string): void;
}

export interface Scenario {
  name: string;
  /** Also measured on the floor: the scenarios of the send path, where storing before the ack costs something. */
  onFloor?: boolean;
  run(context: ScenarioContext): Promise<Measurement[]>;
}

/** What a scenario that starts its own servers gets: which side of the comparison to run, and a folder for them. */
export interface OwnServersContext extends Omit<ScenarioContext, "target"> {
  kind: TargetKind;
  /** The run's temporary folder (the servers' configuration and files go below it). */
  workDir: string;
}

/** A scenario that starts its own processes (the cluster: Redis, nginx and several instances) for each side. */
export interface OwnServersScenario {
  name: string;
  ownServers: true;
  run(context: OwnServersContext): Promise<Measurement[]>;
}
