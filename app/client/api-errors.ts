/** What a failed call to the HTTP API means to the page, by the code of its refusal (lib/client/refusals.ts). */
import { httpRefusal } from "@/lib/client/refusals";
import type { ErrorCode } from "@/lib/contract/codes";
import { ApiError } from "./api";

/** The refusal's code; `undefined` for a call that got no answer at all (the network, say). */
export function apiErrorCode(error: unknown): ErrorCode | undefined {
  return error instanceof ApiError ? httpRefusal(error.status, error.body, error.message).code : undefined;
}

/** The session is gone (logged out elsewhere, expired): the page is signed out. */
export const isSignedOut = (error: unknown): boolean => apiErrorCode(error) === "unauthorized";

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
