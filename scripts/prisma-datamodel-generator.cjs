#!/usr/bin/env node
/**
 * A Prisma generator that writes the schema's parsed datamodel (Prisma's DMMF: models, fields with
 * their types, defaults and database names, and every index) to its `output` file as JSON. The
 * schema tests compare the two schemas through it instead of through their text. It speaks
 * Prisma's generator protocol: JSON-RPC requests on stdin, one per line, answers on stderr.
 */
const { mkdirSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");

const answer = (id, result) => process.stderr.write(`${JSON.stringify({ jsonrpc: "2.0", id, result })}\n`);

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const request = JSON.parse(line);
  if (request.method === "getManifest") {
    answer(request.id, { manifest: { prettyName: "Datamodel JSON", defaultOutput: "datamodel.json" } });
  } else if (request.method === "generate") {
    const output = request.params.generator.output.value;
    mkdirSync(path.dirname(output), { recursive: true });
    writeFileSync(output, JSON.stringify(request.params.dmmf.datamodel, null, 2));
    answer(request.id, null);
  }
});
