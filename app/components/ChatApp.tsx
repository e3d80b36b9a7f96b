"use client";
/** Decides between the login form and the chat from the session cookie, which survives reloads. */
import { useEffect, useState } from "react";
import { api } from "../client/api";
import { LoginForm } from "./LoginForm";

/**
 * The signed-in view (its components, the Socket.IO client, the chat state) is most of the page's
 * own JavaScript and nothing shows it before the session check answers. Loading it separately keeps
 * it out of the scripts the page needs to hydrate; the download starts with the session check, so a
 * signed-in reload does not wait for the check and then for the code, and someone at the login form
 * has it by the time they are in.
 */
type ChatViewComponent = typeof import("./ChatView").ChatView;
type Code = { state: "loading" } | { state: "failed" } | { state: "loaded"; ChatView: ChatViewComponent };

type Session = { state: "loading" } | { state: "signedOut" } | { state: "signedIn"; username: string };

export function ChatApp() {
  const [session, setSession] = useState<Session>({ state: "loading" });
  const [code, setCode] = useState<Code>({ state: "loading" });

  useEffect(() => {
    let cancelled = false;
    import("./ChatView").then(
      ({ ChatView }) => !cancelled && setCode({ state: "loaded", ChatView }),
      () => !cancelled && setCode({ state: "failed" }),
    );
    api.currentUser().then(
      ({ user }) => !cancelled && setSession({ state: "signedIn", username: user.username }),
      () => !cancelled && setSession({ state: "signedOut" }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  if (session.state === "signedOut") {
    return <LoginForm onSignedIn={(username) => setSession({ state: "signedIn", username })} />;
  }
  // The code can be missing when the network dropped or a new version replaced the build since
  // this page loaded; a reload fetches the page and its scripts afresh.
  if (session.state === "signedIn" && code.state === "failed") {
    return (
      <main className="splash">
        <p role="alert">
          Could not load the chat.{" "}
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </p>
      </main>
    );
  }
  if (session.state === "loading" || code.state !== "loaded") {
    return (
      <main className="splash" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  const { ChatView } = code;
  // Keyed by user so logging in as someone else starts from a clean slate.
  return (
    <ChatView key={session.username} me={session.username} onSignedOut={() => setSession({ state: "signedOut" })} />
  );
}
