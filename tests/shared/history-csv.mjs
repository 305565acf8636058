// A household's bank history as a CSV import (amounts in major units), for the AI suites and the AI
// bench: salary on the 1st, rent on the 3rd, a subscription on the 15th, groceries every Saturday and,
// with `cafes`, a café every Tuesday. Plain JavaScript, so that the Node bench imports it as it is.

/** The ISO date `k` days after `d` (YYYY-MM-DD). */
export const day = (d, k) => new Date(Date.parse(`${d}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);

/**
 * The history's rows from `from` to `to` (both YYYY-MM-DD, inclusive), header first, one per line.
 * @param {string} from
 * @param {string} to
 * @param {{ cafes?: boolean }} [options]
 * @returns {string}
 */
export function historyCsv(from, to, { cafes = false } = {}) {
  const rows = ["date,amount,description,category"];
  for (let d = from; d <= to; d = day(d, 1)) {
    const dd = Number(d.slice(8, 10));
    const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (dd === 1) rows.push(`${d},2500.00,VIR SEPA SALAIRE ACME SAS,income`);
    if (dd === 3) rows.push(`${d},-900.00,PRLV SEPA LOYER FONCIA,housing`);
    if (dd === 15) rows.push(`${d},-13.99,PRLV SEPA NETFLIX.COM,subscriptions`);
    if (dow === 6) rows.push(`${d},-${60 + (dd % 20)}.50,CB CARREFOUR MARKET PARIS 15,groceries`);
    if (cafes && dow === 2) rows.push(`${d},-${12 + (dd % 9)}.80,CB STARBUCKS PARIS,dining`);
  }
  return `${rows.join("\n")}\n`;
}
