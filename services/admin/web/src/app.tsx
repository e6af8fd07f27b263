import { useCallback, useEffect, useState } from "preact/hooks";
import {
  ApiError,
  api,
  describeError,
  setUnauthenticatedHandler,
} from "./api/api-client";
import type { Session } from "./api/types";
import { Layout } from "./components/layout";
import { InstancePage } from "./pages/instance-page";
import { LogsPage } from "./pages/logs-page";
import { OverviewPage } from "./pages/overview-page";
import { SignInPage } from "./pages/sign-in-page";
import { navigate, type Route, useRoute } from "./router";

/** undefined while the session is being checked; null when there is none. */
type SessionState = Session | null | undefined;

function signInPath(): string {
  const here = `${window.location.pathname}${window.location.search}`;
  return here === "/" || here.startsWith("/signin")
    ? "/signin"
    : `/signin?next=${encodeURIComponent(here)}`;
}

/** Routes between sign-in and the signed-in pages. */
export function App() {
  const route = useRoute();
  const [session, setSession] = useState<SessionState>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);

  const toSignIn = useCallback(() => {
    setSession(null);
    if (window.location.pathname !== "/signin") navigate(signInPath(), { replace: true });
  }, []);

  useEffect(() => setUnauthenticatedHandler(toSignIn), [toSignIn]);

  useEffect(() => {
    if (route.page === "signin" || session) return;
    api<Session>("/api/session")
      .then(setSession)
      .catch((err: unknown) => {
        // A 401 already went to sign-in through the handler.
        if (!(err instanceof ApiError && err.status === 401))
          setFailure(describeError(err));
      });
  }, [route.page, session]);

  const signOut = async () => {
    await api("/api/session", { method: "DELETE" }).catch(() => {});
    toSignIn();
  };

  if (route.page === "signin") {
    return (
      <SignInPage
        onSignedIn={(next) => {
          setSession(next);
          navigate(route.next, { replace: true });
        }}
      />
    );
  }
  if (!session) {
    return (
      <main id="main" class="loading">
        <p role="status">
          {failure ? `Admin server unavailable: ${failure}` : "Checking your session…"}
        </p>
      </main>
    );
  }
  return (
    <Layout session={session} route={route} onSignOut={signOut}>
      <Page route={route} />
    </Layout>
  );
}

function Page({ route }: { readonly route: Route }) {
  switch (route.page) {
    case "overview":
      return <OverviewPage />;
    case "instance":
      return <InstancePage id={route.id} />;
    case "logs":
      return <LogsPage search={route.search} />;
    default:
      return (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>Nothing lives at {window.location.pathname}.</p>
        </>
      );
  }
}
