import { NextResponse } from "next/server";
import { authenticatedRoute } from "../../../_http";

/** Who has one of your messages and who read it (a group message: one line per member). */
export const GET = authenticatedRoute<{ id: string }>(async ({ chat, params, username }) => {
  return NextResponse.json({ receipts: await chat.receipts(username, params.id) });
});
