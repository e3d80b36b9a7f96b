/**
 * Where the password comes from: the --password option, else CHAT_PASSWORD, else a prompt that
 * does not echo — and only on a terminal, so a script never hangs waiting for a person.
 */
import { CliError } from "./errors";

export async function resolvePassword(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (option !== undefined) return option;
  if (env.CHAT_PASSWORD) return env.CHAT_PASSWORD;
  if (!process.stdin.isTTY) {
    throw new CliError(
      "no password: pass --password or set CHAT_PASSWORD (stdin is not a terminal, so there is no prompt)",
    );
  }
  return askHidden("Password: ");
}

/** Reads one line from the terminal in raw mode, printing nothing of what is typed. */
function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (outcome: () => void) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      outcome();
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish(() => resolve(typed));
        if (char === "\u0003") return finish(() => reject(new CliError("cancelled")));
        if (char === "\u007f" || char === "\b")
          typed = [...typed].slice(0, -1).join(""); // by character, not UTF-16 unit
        else typed += char;
      }
    };
    stdin.setRawMode(true);
    stdin.on("data", onData);
    stdin.resume();
  });
}
