export const scale = (value, factor) => value * factor;
