/**
 * deploy/nginx.conf with other ports: the same file `npm run cluster` and the cluster tests run, with its listen port
 * and the server lines between `# instances: begin` and `# instances: end` replaced.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

const TEMPLATE = path.resolve(__dirname, "..", "..", "deploy", "nginx.conf");
const INSTANCES = /( *)# instances: begin\n[\s\S]*?# instances: end\n/;

export function nginxConfig(options: { port: number; upstreams: number[] }): string {
  const template = readFileSync(TEMPLATE, "utf8");
  if (!INSTANCES.test(template) || !/listen 3000;/.test(template)) {
    throw new Error(`${TEMPLATE} lost its 'listen 3000;' line or its '# instances' markers`);
  }
  return template
    .replace(/listen 3000;/, `listen 127.0.0.1:${options.port};`)
    .replace(INSTANCES, (_, indent: string) =>
      [
        `${indent}# instances: begin`,
        ...options.upstreams.map((port) => `${indent}server 127.0.0.1:${port} max_fails=1 fail_timeout=5s;`),
        `${indent}# instances: end`,
        "",
      ].join("\n"),
    );
}
