/**
 * What the composer does with a line: the one parser of typed input (lib/contract/commands.ts), the same as the
 * terminal client's, and for each kind of input the page's action it stands for.
 */
import { INPUT_HELP, parseInput } from "@/lib/contract/commands";
import { api } from "./api";
import { errorText } from "./api-errors";
import type { ChatState } from "./chat-state";

export interface ComposerActions {
  me: string;
  latest: { readonly current: ChatState };
  notify(text: string | null): void;
  open(peer: string): void;
  sendMessage(destination: string, message: string): void;
  stopTyping(): void;
  runCheck(): Promise<void>;
  logoutEverywhere(): Promise<void>;
}

/** Runs one line; resolves to whether the composer should be cleared. */
export async function runComposerLine(raw: string, actions: ComposerActions): Promise<boolean> {
  const { me, latest, notify } = actions;
  const input = parseInput(raw);
  switch (input.kind) {
    case "empty":
      return false;
    case "check":
      await actions.runCheck();
      return true;
    case "send":
      actions.stopTyping();
      actions.open(input.destination);
      actions.sendMessage(input.destination, input.message);
      return true;
    case "text": {
      const peer = latest.current.openPeer;
      if (!peer) {
        notify("Pick someone to talk to, or type name: message.");
        return false;
      }
      actions.stopTyping();
      actions.sendMessage(peer, input.message);
      return true;
    }
    case "history":
      actions.open(input.username);
      return true;
    case "who": {
      const online = [...latest.current.users.values()]
        .filter((u) => u.online && u.username !== me)
        .map((u) => u.username);
      notify(online.length ? `Online: ${online.join(", ")}` : "Nobody else is online.");
      return true;
    }
    case "groups": {
      const { groups } = await api.groups();
      notify(groups.length ? `Your groups: ${groups.map((g) => `#${g.name}`).join(", ")}` : "You are in no groups.");
      return true;
    }
    case "group":
      try {
        if (input.action === "create") await api.createGroup(input.name, input.usernames);
        else if (input.action === "add") await api.addMember(input.name, input.usernames[0]!);
        else await api.removeMember(input.name, input.action === "leave" ? me : input.usernames[0]!);
        return true;
      } catch (error) {
        notify(errorText(error));
        return false;
      }
    case "help":
      notify(INPUT_HELP);
      return true;
    case "exit":
      notify("To leave, use the Log out button.");
      return true;
    case "logoutEverywhere":
      await actions.logoutEverywhere();
      return true;
    case "error":
      notify(input.error);
      return false;
  }
}
