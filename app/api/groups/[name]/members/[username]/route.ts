import { NextResponse } from "next/server";
import { authenticatedRoute } from "../../../../_http";

/** Removes a member (its owner), or — your own name — leaves the group. */
export const DELETE = authenticatedRoute<{ name: string; username: string }>(async ({ chat, params, username }) => {
  const result = await chat.groups.removeMember(username, params.name, params.username);
  return NextResponse.json("left" in result ? { left: result.left } : { group: result });
});
