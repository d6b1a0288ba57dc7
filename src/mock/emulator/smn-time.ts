// Times as SMN writes them in its resources (create_time, update_time): UTC to the
// second, `YYYY-MM-DDTHH:MM:SSZ` (the vendor's tables and samples).

/** `date` as SMN writes a resource's time. */
export const smnTime = (date: Date = new Date()): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
