import { useEffect, useState } from "preact/hooks";

/** The page the address bar names. */
export type Route =
  | { readonly page: "signin"; readonly next: string }
  | { readonly page: "overview" }
  | { readonly page: "instance"; readonly id: string }
  | { readonly page: "logs"; readonly search: URLSearchParams }
  | { readonly page: "not-found" };

const listeners = new Set<() => void>();

/** Reads the current location into a Route. */
export function currentRoute(): Route {
  const { pathname, search } = window.location;
  const params = new URLSearchParams(search);
  if (pathname === "/signin")
    return { page: "signin", next: safeNext(params.get("next")) };
  if (pathname === "/") return { page: "overview" };
  if (pathname === "/logs") return { page: "logs", search: params };
  const instance = /^\/instances\/([^/]+)$/.exec(pathname);
  if (instance?.[1]) return { page: "instance", id: decodeURIComponent(instance[1]) };
  return { page: "not-found" };
}

/** Only same-site paths: a crafted ?next= must not send anyone elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

/** Goes to a path without reloading; `replace` keeps history unchanged. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

/** The current route, re-rendered on navigate() and on back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

/** The path of an instance's page. */
export function instancePath(id: string): string {
  return `/instances/${encodeURIComponent(id)}`;
}
