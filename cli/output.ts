/**
 * Where lines go: chat output to stdout, errors and hints to stderr. On a terminal, a line that
 * arrives while someone is typing is printed above the prompt and what they typed is redrawn.
 */
import readline from "node:readline";

export class Output {
  private prompt: readline.Interface | undefined;

  /** From now on, keep this interactive prompt intact around every line. */
  attachPrompt(prompt: readline.Interface): void {
    this.prompt = prompt;
  }

  detachPrompt(): void {
    this.prompt = undefined;
  }

  line(text: string): void {
    this.write(process.stdout, text);
  }

  error(text: string): void {
    this.write(process.stderr, text);
  }

  private write(stream: NodeJS.WriteStream, text: string): void {
    if (!this.prompt) {
      stream.write(`${text}\n`);
      return;
    }
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    stream.write(`${text}\n`);
    this.prompt.prompt(true);
  }
}
