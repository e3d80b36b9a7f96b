import { NextResponse } from "next/server";
import { authenticatedRoute, readJson, readQuery } from "../_http";

/** One page of the conversation with `?with=`, oldest first; `before=<id>` pages further back. */
export const GET = authenticatedRoute(async ({ chat, request, username }) => {
  return NextResponse.json({ messages: await chat.history(username, readQuery(request)) });
});

/** Sends a message exactly as `message:send` on a socket does, from the same per-person allowance (429 beyond it). */
export const POST = authenticatedRoute(async ({ chat, limits, request, username }) => {
  limits.take("send", username);
  const { message, online } = await chat.send(username, await readJson(request));
  return NextResponse.json({ message, online }, { status: 201 });
});
