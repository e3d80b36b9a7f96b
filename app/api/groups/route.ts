import { NextResponse } from "next/server";
import { authenticatedRoute, readJson } from "../_http";

/** The groups you are in. */
export const GET = authenticatedRoute(async ({ chat, username }) => {
  return NextResponse.json({ groups: await chat.groups.list(username) });
});

/** Creates a group `{name, members}` owned by you; its members are told in the group. */
export const POST = authenticatedRoute(async ({ chat, request, username }) => {
  return NextResponse.json({ group: await chat.groups.create(username, await readJson(request)) }, { status: 201 });
});
