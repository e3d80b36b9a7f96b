"use client";
/**
 * Beside Log out: a small disclosure with "Log out everywhere", which ends every session of this
 * person (other browsers, phones, terminal clients) and disconnects them at once. Tucked away
 * because it signs out more than this tab.
 */
export function SessionMenu({ onLogoutEverywhere }: { onLogoutEverywhere: () => void }) {
  return (
    <details className="session-menu">
      <summary aria-label="More ways to log out">⋯</summary>
      <div className="session-menu-items">
        <button type="button" onClick={onLogoutEverywhere}>
          Log out everywhere
        </button>
      </div>
    </details>
  );
}
