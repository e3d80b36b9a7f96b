"use client";
/** Leaving: logging out this tab, or every session of this person everywhere. */
import { useCallback } from "react";
import { api } from "./api";
import { errorText, isSignedOut } from "./api-errors";
import type { ChatPage } from "./chat-page";

export function useSession(page: ChatPage) {
  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // The session may already be gone; either way this tab is signed out.
    }
    page.socket.current?.disconnect();
    page.signedOut();
  }, [page]);

  /** Ends every session of this person; the server disconnects their sockets everywhere, this one too. */
  const logoutEverywhere = useCallback(async () => {
    // Closed first, so the server ending it is not shown as a lost connection.
    page.socket.current?.disconnect();
    try {
      await api.logoutEverywhere();
    } catch (error) {
      if (!isSignedOut(error)) {
        page.notify(`Could not log out everywhere: ${errorText(error)}`);
        page.socket.current?.connect();
        return;
      }
    }
    page.signedOut();
  }, [page]);

  return { logout, logoutEverywhere };
}
