// The bias argument against the noBias option, one rule for fullyConnected, convolution and
// deconvolution. MXNet counts the op's inputs from no_bias and refuses a call whose inputs do not
// match ("expects 2 inputs, but got 3"), so a bias with noBias true, or noBias false without a
// bias, is an error rather than a silently dropped or missing bias. Left out, noBias follows the
// bias: no bias argument means no bias.
export function checkBiasMatchesNoBias(op: string, noBias: unknown, hasBias: boolean): void {
  if (noBias === true && hasBias) throw new TypeError(`${op}: a bias was given with noBias true`);
  if (noBias === false && !hasBias) throw new TypeError(`${op}: noBias is false but no bias was given`);
}
