/** An API timestamp as Lagos wall time, e.g. `3 Mar 2026, 14:05`. */
export function lagos(iso: string): string {
  return new Date(iso).toLocaleString("en-GB", {
    timeZone: "Africa/Lagos",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}
