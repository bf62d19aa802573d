// Type-level equality, shared by the usage files: `Mismatched<Ours, Deno>`
// is the union of keys whose types differ in either direction (never when
// they all match).
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type Mismatched<Ours, Theirs> = {
  [K in keyof Theirs]: K extends keyof Ours ? Same<Ours[K], Theirs[K]> extends true ? never : K
    : K;
}[keyof Theirs];
