import { NextResponse } from "next/server";
import { authenticatedRoute, readJson } from "../../_http";

/** One group you are in, with its members (404 for anyone else, as for a group that does not exist). */
export const GET = authenticatedRoute<{ name: string }>(async ({ chat, params, username }) => {
  return NextResponse.json({ group: await chat.groups.get(username, params.name) });
});

/** Renames it `{name}` (its owner). */
export const PATCH = authenticatedRoute<{ name: string }>(async ({ chat, params, request, username }) => {
  return NextResponse.json({ group: await chat.groups.rename(username, params.name, await readJson(request)) });
});
