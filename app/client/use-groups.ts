"use client";
/** Groups on the page: creating one, changing its members, and what the server says about the groups you are in. */
import { useCallback } from "react";
import type { GroupEvent, GroupLeftEvent } from "@/lib/contract/payloads";
import { api } from "./api";
import { errorText } from "./api-errors";
import type { ChatPage } from "./chat-page";

export function useGroups(page: ChatPage, open: (peer: string) => void) {
  const { dispatch, notify } = page;

  /** Creates a group and opens it; resolves to an error sentence, or null when it worked. */
  const createGroup = useCallback(
    async (name: string, members: string[]): Promise<string | null> => {
      try {
        const { group } = await api.createGroup(name, members);
        dispatch({ type: "group", group });
        open(`#${group.name}`);
        return null;
      } catch (error) {
        return errorText(error);
      }
    },
    [dispatch, open],
  );

  /** Adds or removes a member (the owner), or leaves (your own name); problems become a notice. */
  const changeMembers = useCallback(
    async (group: string, change: "add" | "remove", username: string) => {
      try {
        if (change === "add") await api.addMember(group, username);
        else await api.removeMember(group, username);
      } catch (error) {
        notify(errorText(error));
      }
    },
    [notify],
  );

  /** A group you are in was created, renamed or changed members; what waits to be sent to it follows a rename. */
  const groupChanged = useCallback(
    ({ group, previousName }: GroupEvent) => {
      dispatch({ type: "group", group, previousName });
      if (previousName) page.client.current?.outbox.renameDestination(`#${previousName}`, `#${group.name}`);
    },
    [page, dispatch],
  );

  const groupLeft = useCallback(
    ({ name }: GroupLeftEvent) => {
      dispatch({ type: "groupLeft", name });
      notify(`You are no longer in #${name}.`);
    },
    [dispatch, notify],
  );

  return { createGroup, changeMembers, groupChanged, groupLeft };
}
