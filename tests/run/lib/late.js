// Imported only dynamically; awaits at top level before it is ready.
export const value = "late";
export const waited = await new Promise((resolve) => setTimeout(() => resolve(true), 5));
