import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, describeError } from "../api/api-client";
import type { Session } from "../api/types";

interface SignInPageProps {
  readonly onSignedIn: (session: Session) => void;
}

/** Says why sign-in failed in words an operator can act on. */
function signInMessage(err: unknown): string {
  if (!(err instanceof ApiError))
    return `Could not reach the admin server: ${describeError(err)}`;
  if (err.status === 401) return "Wrong username or password.";
  if (err.status === 403) return "This account is not an admin: it lacks the admin role.";
  if (err.status === 429) return "Too many attempts. Wait a little, then try again.";
  if (err.status === 400) return err.message;
  return `Sign-in failed: ${err.message}`;
}

/** The sign-in form; the session itself lives in an HttpOnly cookie. */
export function SignInPage({ onSignedIn }: SignInPageProps) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const usernameField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    usernameField.current?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await api<Session>("/api/session", {
        method: "POST",
        body: { username, password },
        expectUnauthenticated: true,
      });
      onSignedIn(session);
    } catch (err) {
      setError(signInMessage(err));
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin">
      <form class="signin-form" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">micro-todo admin</h1>
        <p class="muted">Sign in with an account that has the admin role.</p>
        <label for="signin-username">Username</label>
        <input
          id="signin-username"
          ref={usernameField}
          name="username"
          autocomplete="username"
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="signin-password">Password</label>
        <input
          id="signin-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <p class="form-error" role="alert" id="signin-error">
          {error ?? ""}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
