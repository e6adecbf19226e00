// Protobuf's JSON form (which MLflow's client parses) writes non-finite doubles as strings; JSON.stringify
// would write null, which the client cannot read back as a float.
const nonFinite = (value: number) => (Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity');

/** Serialises a response body as MLflow's server does: NaN and infinities as strings, undefined fields omitted. */
export function toWireJson(body: unknown): string {
  return JSON.stringify(body, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? nonFinite(value) : value,
  );
}
