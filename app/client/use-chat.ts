"use client";
/**
 * The signed-in page's state and actions: one reducer (chat-state.ts), fed by hooks that each do one job — the
 * connection and the client core on it (use-connection.ts), messages in and out (use-messages.ts), what is loaded
 * over HTTP (use-loaders.ts), groups (use-groups.ts), typing (use-typing.ts), leaving (use-session.ts) — and the
 * composer's commands (composer-commands.ts).
 */
import { useCallback, useReducer } from "react";
import { useChatPage } from "./chat-page";
import { chatReducer, initialChatState } from "./chat-state";
import { runComposerLine } from "./composer-commands";
import { useConnection } from "./use-connection";
import { useGroups } from "./use-groups";
import { useLoaders } from "./use-loaders";
import { useMessages } from "./use-messages";
import { useSession } from "./use-session";
import { useTyping } from "./use-typing";

export function useChat(me: string, onSignedOut: () => void) {
  const [state, dispatch] = useReducer(chatReducer, me, initialChatState);
  const page = useChatPage(state, dispatch, onSignedOut);
  const { markRead, reconnected, open, loadOlder, runCheck, closeCheckResults } = useLoaders(page);
  const { announcement, receive, outboxChanged, sendMessage, retry, discard } = useMessages(page, markRead);
  const { stopTyping, noteTyping, typingEvent } = useTyping(page);
  const { createGroup, changeMembers, groupChanged, groupLeft } = useGroups(page, open);
  const { logout, logoutEverywhere } = useSession(page);
  const socket = useConnection(page, {
    received: receive,
    outboxChanged,
    reconnected,
    typing: typingEvent,
    group: groupChanged,
    groupLeft,
  });

  const submit = useCallback(
    (raw: string) => runComposerLine(raw, { ...page, open, sendMessage, stopTyping, runCheck, logoutEverywhere }),
    [page, open, sendMessage, stopTyping, runCheck, logoutEverywhere],
  );

  return {
    state,
    socket,
    announcement,
    actions: {
      open,
      loadOlder,
      sendMessage,
      submit,
      runCheck,
      closeCheckResults,
      noteTyping,
      logout,
      logoutEverywhere,
      notify: page.notify,
      retry,
      discard,
      createGroup,
      changeMembers,
    },
  };
}

export type ChatActions = ReturnType<typeof useChat>["actions"];
