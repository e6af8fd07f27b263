import type { FeedMode } from "../live/overview-feed";

const labels: Record<FeedMode, string> = {
  connecting: "connecting",
  live: "live",
  polling: "polling",
};

const titles: Record<FeedMode, string> = {
  connecting: "Opening the live stream",
  live: "Updates stream in from the registry as they happen",
  polling: "The live stream failed; refreshing every 3 seconds and retrying it",
};

/** Says, in words and colour, whether the page is live or polling. */
export function FeedStatus({ mode }: { readonly mode: FeedMode }) {
  return (
    <span class={`feed-status feed-${mode}`} role="status" title={titles[mode]}>
      <span class="dot" aria-hidden="true" />
      {labels[mode]}
    </span>
  );
}
