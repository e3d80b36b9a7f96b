/**
 * docs/architecture.md's tree is where a newcomer looks first, so it must be true: every file and folder it names
 * exists, and every folder of the product's code (lib/, server/, app/, cli/) and every top-level folder is in it.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../tools/root";

/** Where the description column starts: a line indented this far continues the description above it. */
const DESCRIPTION_COLUMN = 24;

interface Entry {
  /** The path from the project root, folders ending in `/`. */
  path: string;
  line: string;
}

/** The entries of the first code block, nested by their indentation (two spaces a level). */
function treeEntries(markdown: string): Entry[] {
  const block = /\n```\n([\s\S]*?)\n```\n/.exec(markdown)?.[1];
  if (!block) throw new Error("docs/architecture.md has no tree");
  const parents: string[] = [];
  const entries: Entry[] = [];
  for (const line of block.split("\n")) {
    const indent = line.length - line.trimStart().length;
    if (line.trim() === "" || indent >= DESCRIPTION_COLUMN) continue;
    const depth = indent / 2;
    if (!Number.isInteger(depth)) throw new Error(`odd indentation in the tree: ${line}`);
    const name = line.trim().split(/\s+/)[0]!;
    parents.length = depth;
    const entryPath = [...parents, name].join("");
    entries.push({ path: entryPath, line });
    if (name.endsWith("/")) parents.push(name);
  }
  return entries;
}

/** The folders under `folder` (relative to the root) that hold code, at any depth, but inside `skip`. */
function codeFolders(folder: string, skip: (relative: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, folder), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const relative = `${folder}${entry.name}/`;
    if (skip(relative)) continue;
    found.push(relative, ...codeFolders(relative, skip));
  }
  return found;
}

const entries = treeEntries(readFileSync(path.join(ROOT, "docs/architecture.md"), "utf8"));
const named = new Set(entries.map((entry) => entry.path));

test.each(entries.map((entry) => [entry.path, entry.line]))("%s, named in the tree, exists", (entryPath) => {
  const stats = statSync(path.join(ROOT, entryPath), { throwIfNoEntry: false });
  expect(stats?.isDirectory() ?? false).toBe(entryPath.endsWith("/"));
  expect(stats).toBeDefined();
});

/** The route folders under app/api are named by their URLs (docs/protocol.md lists them); the tree names api/. */
const inApiRoutes = (relative: string) => relative.startsWith("app/api/");

test.each(["lib/", "server/", "app/", "cli/"].flatMap((top) => [top, ...codeFolders(top, inApiRoutes)]))(
  "the folder %s is in the tree",
  (folder) => {
    expect(named.has(folder)).toBe(true);
  },
);

test("every top-level folder of the project is in the tree", () => {
  // The project's own folders: those git tracks (not node_modules, builds or data), but the hidden ones (CI).
  const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n");
  const topLevel = [
    ...new Set(tracked.filter((file) => file.includes("/")).map((file) => `${file.split("/")[0]}/`)),
  ].filter((folder) => !folder.startsWith("."));
  const missing = topLevel.filter((folder) => ![...named].some((entry) => entry.startsWith(folder)));
  expect(missing).toEqual([]);
});
