"use client";
/**
 * "New group": a name and the people in it, in a native modal <dialog> (focus is trapped and Escape closes it,
 * as browsers do for every modal dialog). The server checks everything again; its sentence is shown as is.
 */
import { useRef, useState } from "react";
import type { UserSummary } from "@/lib/contract/payloads";
import { USERNAME_PATTERN } from "@/lib/contract/names";

export function NewGroupDialog(props: {
  users: ReadonlyMap<string, UserSummary>;
  me: string;
  onCreate: (name: string, members: string[]) => Promise<string | null>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState("");
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const people = [...props.users.values()]
    .filter((user) => user.username !== props.me && !user.service)
    .sort((a, b) => a.username.localeCompare(b.username));

  const openDialog = () => {
    setName("");
    setPicked(new Set());
    setError(null);
    dialog.current?.showModal();
  };
  const toggle = (username: string) => {
    const next = new Set(picked);
    if (next.has(username)) next.delete(username);
    else next.add(username);
    setPicked(next);
  };
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const wanted = name.trim().replace(/^#/, "");
    if (!USERNAME_PATTERN.test(wanted)) return setError("A group name is 1–32 letters, digits, '_', '.' or '-'.");
    if (picked.size === 0) return setError("Pick at least one person.");
    setBusy(true);
    const problem = await props.onCreate(wanted, [...picked]);
    setBusy(false);
    if (problem) return setError(problem);
    dialog.current?.close();
  };

  return (
    <>
      <button type="button" className="new-group" onClick={openDialog}>
        New group
      </button>
      <dialog ref={dialog} className="group-dialog" aria-labelledby="new-group-title">
        <form onSubmit={(event) => void submit(event)}>
          <h2 id="new-group-title">New group</h2>
          <label htmlFor="new-group-name">Name</label>
          <input
            id="new-group-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            maxLength={33}
            required
          />
          <fieldset>
            <legend>Members</legend>
            {people.length === 0 ? (
              <p className="empty">Nobody else is here yet.</p>
            ) : (
              <ul className="pick-list">
                {people.map((user) => (
                  <li key={user.username}>
                    <label>
                      <input
                        type="checkbox"
                        checked={picked.has(user.username)}
                        onChange={() => toggle(user.username)}
                      />{" "}
                      {user.username}
                    </label>
                  </li>
                ))}
              </ul>
            )}
          </fieldset>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-buttons">
            <button type="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" disabled={busy}>
              Create
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
