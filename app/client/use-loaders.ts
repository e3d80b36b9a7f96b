"use client";
/**
 * What the page loads over HTTP: the lists (people, conversations, groups), a conversation's newest page and the
 * pages before it, and `!check`'s pages through the client core (which follows them to the end and drops what this
 * page already has). Opening a conversation loads it and marks it read.
 */
import { useCallback, useEffect } from "react";
import { openIncoming } from "@/lib/client/content";
import { api } from "./api";
import { errorText, isSignedOut } from "./api-errors";
import type { ChatPage } from "./chat-page";

const HISTORY_PAGE_SIZE = 50;

export function useLoaders(page: ChatPage) {
  const { dispatch, latest, notify } = page;

  const markRead = useCallback(
    (peer: string) => {
      dispatch({ type: "readByMe", peer, at: new Date().toISOString() });
      const socket = page.socket.current;
      // Offline it waits: the reconnect resync marks the open conversation again.
      if (socket?.connected) socket.timeout(5_000).emit("message:read", { with: peer }, () => undefined);
    },
    [page, dispatch],
  );

  const loadNewestPage = useCallback(
    async (peer: string) => {
      try {
        const { messages } = await api.history(peer, { limit: HISTORY_PAGE_SIZE });
        dispatch({
          type: "history",
          peer,
          messages: messages.map(openIncoming),
          older: false,
          pageSize: HISTORY_PAGE_SIZE,
        });
      } catch (error) {
        notify(`Could not load the conversation with ${peer}: ${errorText(error)}`);
      }
    },
    [dispatch, notify],
  );

  const loadLists = useCallback(async () => {
    try {
      const [{ users }, { conversations }, { groups }] = await Promise.all([
        api.users(),
        api.conversations(),
        api.groups(),
      ]);
      dispatch({ type: "users", users });
      dispatch({ type: "groups", groups });
      dispatch({
        type: "conversations",
        conversations: conversations.map((conversation) => ({
          ...conversation,
          last: openIncoming(conversation.last),
        })),
      });
    } catch (error) {
      if (isSignedOut(error)) return page.signedOut();
      notify(`Could not load your conversations: ${errorText(error)}`);
    }
  }, [page, dispatch, notify]);

  useEffect(() => {
    void loadLists();
  }, [loadLists]);

  /** Back after a lost connection: fill in whatever happened meanwhile. */
  const reconnected = useCallback(() => {
    void loadLists();
    const peer = latest.current.openPeer;
    if (peer) void loadNewestPage(peer).then(() => markRead(peer));
  }, [latest, loadLists, loadNewestPage, markRead]);

  const open = useCallback(
    (peer: string | null) => {
      dispatch({ type: "open", peer });
      if (!peer) return;
      if (!latest.current.threads.get(peer)?.loaded) void loadNewestPage(peer).then(() => markRead(peer));
      else markRead(peer);
    },
    [dispatch, latest, loadNewestPage, markRead],
  );

  const loadOlder = useCallback(
    async (peer: string) => {
      const thread = latest.current.threads.get(peer);
      if (!thread?.loaded || !thread.hasOlder || thread.loadingOlder) return;
      dispatch({ type: "loadingOlder", peer });
      try {
        const { messages } = await api.history(peer, { before: thread.messages[0]?.id, limit: HISTORY_PAGE_SIZE });
        dispatch({
          type: "history",
          peer,
          messages: messages.map(openIncoming),
          older: true,
          pageSize: HISTORY_PAGE_SIZE,
        });
      } catch (error) {
        dispatch({ type: "history", peer, messages: [], older: true, pageSize: HISTORY_PAGE_SIZE });
        notify(`Could not load older messages: ${errorText(error)}`);
      }
    },
    [dispatch, latest, notify],
  );

  /** `!check` and the Check button: every page, over HTTP, each into the state as it comes, then the results shown. */
  const runCheck = useCallback(async () => {
    const client = page.client.current;
    if (!client) return;
    try {
      const found = await client.check(
        (messages) => dispatch({ type: "messages", messages }),
        (after) => api.check(after),
      );
      dispatch({ type: "checkResults", messages: found });
    } catch (error) {
      notify(`Check failed: ${errorText(error)}`);
    }
  }, [page, dispatch, notify]);

  const closeCheckResults = useCallback(() => dispatch({ type: "checkResults", messages: null }), [dispatch]);

  return { markRead, reconnected, open, loadOlder, runCheck, closeCheckResults };
}
