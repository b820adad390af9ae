// How the sandbox's resource figures read in the session's side panel.

/** 52428800 -> "50 MiB", 2147483648 -> "2 GiB" (binary units, as the limits are set). */
export const formatBytes = (bytes: number) => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
};

/** CPU in % of one core, and of how many cores the sandbox may use: "12.5% of 1 CPU". */
export const formatCpu = (percent: number, limit: number | null) =>
  `${percent.toFixed(percent >= 10 ? 0 : 1)}%${limit ? ` of ${limit} CPU${limit === 1 ? "" : "s"}` : ""}`;
