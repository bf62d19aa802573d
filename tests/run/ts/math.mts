export const triple = (n: number): number => n * 3;
