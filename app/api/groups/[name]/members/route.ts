import { NextResponse } from "next/server";
import { authenticatedRoute, readJson } from "../../../_http";

/** Adds a member `{username}` (its owner). */
export const POST = authenticatedRoute<{ name: string }>(async ({ chat, params, request, username }) => {
  const group = await chat.groups.addMember(username, params.name, await readJson(request));
  return NextResponse.json({ group }, { status: 201 });
});
