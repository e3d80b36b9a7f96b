/**
 * Reading a MongoDB `explain` of an aggregation (what Prisma sends for findMany): whether the
 * winning plan walks an index and returns its order, or sorts in memory or scans the collection.
 * Covers the classic engine (`stages[0].$cursor.queryPlanner`, `queryPlanner.winningPlan`) and the
 * slot-based engine of 7.0+ (`winningPlan.queryPlan`); rejected plans are not looked at.
 */
type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null;

function* nodes(value: unknown): Generator<Node> {
  if (Array.isArray(value)) for (const item of value) yield* nodes(item);
  else if (isNode(value)) {
    yield value;
    for (const child of Object.values(value)) yield* nodes(child);
  }
}

/** Why the plan is not an index walk in order; empty when it is. */
export function planProblems(explain: unknown): string[] {
  const winning = [...nodes(explain)].flatMap((node) => (isNode(node.winningPlan) ? [node.winningPlan] : []));
  const stages = new Set(winning.flatMap((plan) => [...nodes(plan)].map((node) => node.stage)));
  const pipeline = isNode(explain) && Array.isArray(explain.stages) ? explain.stages : [];
  const problems: string[] = [];
  if (winning.length === 0) problems.push("no winning plan in the explain output");
  if (stages.has("SORT")) problems.push("a blocking SORT in the winning plan");
  if (stages.has("COLLSCAN")) problems.push("a collection scan in the winning plan");
  if (winning.length > 0 && !stages.has("IXSCAN")) problems.push("no index scan in the winning plan");
  if (pipeline.some((stage) => isNode(stage) && "$sort" in stage)) problems.push("a $sort stage after the query");
  return problems;
}
