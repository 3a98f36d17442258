/** The middle value (the upper one of an even count), 0 for none: how every benchmark sums up its runs. */
export const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
