import { NextResponse, type NextRequest } from "next/server";
import { authenticatedRoute } from "../../../_http";

type Params = { params: Promise<{ device: string }> };

/** Stored readings of one device, newest last: `?limit=<1..1000>&since=<ISO 8601>`. */
export async function GET(request: NextRequest, { params }: Params) {
  const { device } = await params;
  return authenticatedRoute(async ({ devices }) => {
    const query = Object.fromEntries(request.nextUrl.searchParams);
    return NextResponse.json({ readings: await devices.readings(device, query) });
  })(request);
}
