// The 500 statement lines both AI benches categorise (through the stack in ai.mjs, in Node in ai-cpu.mjs),
// so their figures describe the same work.
const MERCHANTS = [
  "CB CARREFOUR MARKET 12/03 PARIS",
  "PRLV SEPA NETFLIX.COM",
  "CB SNCF CONNECT",
  "CB*4821 UBER EATS",
  "POS DEBIT KROGER #0312 AUSTIN TX",
  "VIR SEPA LOYER FONCIA",
  "CB PHARMACIE DU CENTRE LYON",
  "AMZN MKTP US*2K4",
  "PRLV SEPA EDF CLIENTS",
  "CB FNAC 0123 PARIS",
];

export const BENCH_LINES = Array.from({ length: 500 }, (_, i) => ({
  description: `${MERCHANTS[i % MERCHANTS.length]} ${1000 + i}`,
  amount: -(100 + ((i * 7919) % 20_000)),
}));
