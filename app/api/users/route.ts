import { NextResponse } from "next/server";
import { authenticatedRoute } from "../_http";

export const GET = authenticatedRoute(async ({ chat }) => NextResponse.json({ users: await chat.listUsers() }));
