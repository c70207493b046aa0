// The order the ordering ops (sort, argsort, topk) document, computed in JS: the indices of
// `line` with NaN above every number, -0 equal to +0 (their difference is 0), ties in index order,
// in both directions.
export function orderReference(line: number[], ascend: boolean): number[] {
  const isNan = (v: number) => Number.isNaN(v);
  return line
    .map((v, i) => i)
    .sort((i, j) => {
      const a = line[i], b = line[j];
      if (isNan(a) !== isNan(b)) return (isNan(a) ? 1 : -1) * (ascend ? 1 : -1);
      const d = isNan(a) ? 0 : ascend ? a - b : b - a;
      return d !== 0 ? d : i - j;
    });
}

// A value as a string that tells -0 from 0 (toEqual on numbers does too, but prints both as 0).
export const showSigned = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
