import { NextResponse } from "next/server";
import { authenticatedRoute } from "../_http";

/** The caller's conversations, most recent first, each with its last message and unread count. */
export const GET = authenticatedRoute(async ({ chat, username }) =>
  NextResponse.json({ conversations: await chat.conversations(username) }),
);
