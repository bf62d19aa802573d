export interface Shape {
  area(): number;
}
export type Named = { name: string };
export class Square implements Shape {
  constructor(private side: number) {}
  area(): number {
    return this.side ** 2;
  }
}
export function describe(shape: Shape): string {
  return `area ${shape.area()}`;
}
