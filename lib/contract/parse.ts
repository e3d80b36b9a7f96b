/**
 * Checking what comes in against its schema, and saying what is wrong in one sentence a person can act on.
 */
import type { z } from "zod";
import { ChatError } from "../errors";

/** Turns the first zod issue into one sentence a person can act on. */
export function describeError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid input";
  if (issue.code === "unrecognized_keys")
    return `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_type" && issue.path.length === 0) return "expected a JSON object";
  const where = issue.path.join(".");
  // Field schemas name their field ("message must be …"); say where when the name differs.
  return !where || issue.message.startsWith(where) ? issue.message : `${where}: ${issue.message}`;
}

/** Validates a payload from the outside world; a ChatError 400 that says what is wrong otherwise. */
export function parsePayload<T extends z.ZodType>(schema: T, payload: unknown): z.output<T> {
  const result = schema.safeParse(payload);
  if (!result.success) throw new ChatError(400, describeError(result.error));
  return result.data;
}
