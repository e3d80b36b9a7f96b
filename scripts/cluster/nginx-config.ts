/**
 * deploy/nginx.conf with other ports: the same file `npm run cluster` and the cluster tests run, with its listen port
 * and the server lines between `# instances: begin` and `# instances: end` replaced, and its per-address budgets
 * when others are asked for.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Rate } from "../../lib/limits/token-bucket";

/** nginx's per-address budgets: logins and sign-ups, and Socket.IO handshakes. */
export interface NginxBudgets {
  accountRequests: Rate;
  handshakes: Rate;
}

/**
 * For load that all comes from one address (the cluster tests and the benchmark, whose clients are all on
 * 127.0.0.1), as their instances' budgets are lifted; the abuse fault run measures the shipped ones.
 */
export const LIFTED_NGINX_BUDGETS: NginxBudgets = {
  accountRequests: { perSecond: 1_000_000, burst: 1_000_000 },
  handshakes: { perSecond: 1_000_000, burst: 1_000_000 },
};

/** Each budget's `limit_req` zone in the file. */
const ZONES: Record<keyof NginxBudgets, string> = { accountRequests: "account_requests", handshakes: "handshakes" };

const TEMPLATE = path.resolve(__dirname, "..", "..", "deploy", "nginx.conf");
const INSTANCES = /( *)# instances: begin\n[\s\S]*?# instances: end\n/;

export function nginxConfig(options: { port: number; upstreams: number[]; budgets?: NginxBudgets }): string {
  const template = readFileSync(TEMPLATE, "utf8");
  if (!INSTANCES.test(template) || !/listen 3000;/.test(template)) {
    throw new Error(`${TEMPLATE} lost its 'listen 3000;' line or its '# instances' markers`);
  }
  return withBudgets(template, options.budgets)
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

function withBudgets(template: string, budgets: NginxBudgets | undefined): string {
  if (!budgets) return template;
  let config = template;
  for (const [budget, zone] of Object.entries(ZONES)) {
    const { perSecond, burst } = budgets[budget as keyof NginxBudgets];
    const rate = new RegExp(`(zone=${zone}:\\w+ rate=)\\d+r/s`);
    const size = new RegExp(`(zone=${zone} burst=)\\d+`);
    if (!rate.test(config) || !size.test(config)) throw new Error(`${TEMPLATE} lost its '${zone}' budget`);
    // nginx takes whole requests a second.
    config = config.replace(rate, `$1${Math.max(1, Math.round(perSecond))}r/s`).replace(size, `$1${burst}`);
  }
  return config;
}
