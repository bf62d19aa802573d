export const add = (a, b) => a + b;
export const meta = { main: import.meta.main, url: import.meta.url };
