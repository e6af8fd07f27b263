import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { Session } from "../api/types";
import type { Route } from "../router";
import { Link } from "./link";

interface LayoutProps {
  readonly session: Session;
  readonly route: Route;
  readonly onSignOut: () => void;
  readonly children: ComponentChildren;
}

/** Header with navigation and sign-out around every signed-in page. */
export function Layout({ session, route, onSignOut, children }: LayoutProps) {
  const main = useRef<HTMLElement>(null);
  const path = route.page === "instance" ? route.id : route.page;

  // After a client-side page change, keyboard and screen-reader users
  // start at the new page's heading rather than at the link they used.
  useEffect(() => {
    main.current?.querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
  }, [path]);

  const current = (page: Route["page"]) => (route.page === page ? "page" : undefined);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">micro-todo admin</span>
        <nav aria-label="Main">
          <ul>
            <li aria-current={current("overview")}>
              <Link href="/">Overview</Link>
            </li>
            <li aria-current={current("logs")}>
              <Link href="/logs">Logs</Link>
            </li>
          </ul>
        </nav>
        <span class="user">
          Signed in as <strong>{session.username}</strong>
        </span>
        <button type="button" class="secondary" onClick={onSignOut}>
          Log out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
