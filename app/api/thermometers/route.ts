import { NextResponse } from "next/server";
import { authenticatedRoute } from "../_http";

/** Every device with its status, configured range, last reading and whether the caller subscribes. */
export const GET = authenticatedRoute(async ({ devices, username }) =>
  NextResponse.json({ thermometers: await devices.list(username) }),
);
