import type { ComponentChildren } from "preact";
import { navigate } from "../router";

interface LinkProps {
  readonly href: string;
  readonly children: ComponentChildren;
  readonly class?: string;
}

/** An ordinary link that changes page without a reload; modified clicks
 * (new tab, new window) are left to the browser. */
export function Link({ href, children, class: className }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} class={className} onClick={onClick}>
      {children}
    </a>
  );
}
