/** Every variable the server reads has its row in the README's configuration tables, with its default. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { CONFIG_VARIABLES } from "@/server/config";
import { ROOT } from "../../tools/root";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
/** The first cell of every table row: `| \`NAME\` …` (a row may name two that go together, `TLS_CERT`, `TLS_KEY`). */
const documented = new Set(
  readme
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...(line.split("|")[1] ?? "").matchAll(/`([A-Z0-9_]+)`/g)].map((match) => match[1]!)),
);

test.each([...CONFIG_VARIABLES])("%s is in the README's configuration tables", (variable) => {
  expect(documented.has(variable)).toBe(true);
});
