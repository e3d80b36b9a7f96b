import { NextResponse } from "next/server";
import { authenticatedRoute, readJson, readQuery } from "../_http";

/** One page of the conversation with `?with=`, oldest first; `before=<id>` pages further back. */
export const GET = authenticatedRoute(async ({ chat, request, username }) => {
  return NextResponse.json({ messages: await chat.history(username, readQuery(request)) });
});

/**
 * Sends a message exactly as `message:send` on a socket does, from the same per-person allowance (429 beyond it,
 * before the body is read).
 */
export const POST = authenticatedRoute(async ({ chat, request, username }) => {
  const { message, online } = await chat.send(username, () => readJson(request));
  return NextResponse.json({ message, online }, { status: 201 });
});
