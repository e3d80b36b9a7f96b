/**
 * The store's shape, read from its import statements: no module of lib/store imports itself back through others,
 * the portable implementation (what MongoDB runs, and what the offline MongoDB check compiles) imports nothing of the
 * SQLite one, and the interfaces and shared pieces import neither — only the wiring that picks one does.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const STORE = path.resolve(__dirname, "..", "..", "lib", "store");
/** The modules that open the store and so know both implementations. */
const WIRING = ["index.ts", "prisma-client.ts"];

/** Every module of lib/store, by its path inside it, with the lib/store modules it imports. */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(STORE, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const source = readFileSync(path.join(STORE, file), "utf8");
      const specifiers = [...source.matchAll(/from\s+"(\.[^"]*)"/g)].map((match) => match[1]!);
      const imported = specifiers
        .map((specifier) => path.relative(STORE, path.resolve(STORE, path.dirname(file), specifier)))
        .flatMap((target) => [`${target}.ts`, path.join(target, "index.ts")].filter((name) => known.has(name)));
      return [file, imported];
    }),
  );
}

const graph = importGraph();

test("the graph is read: every implementation module is there, with what it imports", () => {
  expect(graph.get("sqlite/messages.ts")).toEqual(expect.arrayContaining(["portable/messages.ts", "sqlite/file.ts"]));
  expect(graph.get("index.ts")).toEqual(expect.arrayContaining(["portable/messages.ts", "sqlite/messages.ts"]));
});

test("no module of lib/store imports itself back through others", () => {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (file: string, trail: string[]) => {
    if (trail.includes(file)) return cycles.push([...trail.slice(trail.indexOf(file)), file]);
    if (done.has(file)) return;
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    done.add(file);
  };
  for (const file of graph.keys()) visit(file, []);
  expect(cycles).toEqual([]);
});

test("the portable implementation imports nothing of the SQLite one; the shared modules import neither", () => {
  const crossings = [...graph].flatMap(([file, imported]) =>
    imported
      .filter((target) =>
        file.startsWith("portable/")
          ? target.startsWith("sqlite/")
          : !file.includes("/") && !WIRING.includes(file) && target.includes("/"),
      )
      .map((target) => `${file} → ${target}`),
  );
  expect(crossings).toEqual([]);
});
