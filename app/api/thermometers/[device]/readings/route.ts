import { NextResponse } from "next/server";
import { authenticatedRoute, readQuery } from "../../../_http";

/** Stored readings of one device, newest last: `?limit=<1..1000>&since=<ISO 8601>`. */
export const GET = authenticatedRoute<{ device: string }>(async ({ devices, params, request }) => {
  return NextResponse.json({ readings: await devices.readings(params.device, readQuery(request)) });
});
