import { type NextRequest, NextResponse } from "next/server";
import { ChatError } from "@/lib/errors";
import { authenticatedRoute } from "../../_http";

/**
 * `!check`: one page of the caller's unseen messages, oldest first, then marked seen, with `next`,
 * the cursor for the following page (`null` after the last). The body is optional: none (or `{}`)
 * asks for the first page, `{after: next}` for the one after. CHECK_LIMIT_PER_USER, shared with sockets (429 beyond it).
 */
export const POST = authenticatedRoute(async ({ chat, request, username }) => {
  return NextResponse.json(await chat.check(username, () => readOptionalJson(request)));
});

/** No body (or only blanks) is no payload. */
async function readOptionalJson(request: NextRequest): Promise<unknown> {
  const body = await request.text();
  try {
    return body.trim() ? JSON.parse(body) : undefined;
  } catch {
    throw new ChatError(400, "the request body must be JSON");
  }
}
