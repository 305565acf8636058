/** One entry of a user's or an account's history, as the anomaly scores and the recommendations read it. */
export interface HistoryTxn {
  id: string;
  date: string; // YYYY-MM-DD
  amount: number; // signed minor units
  description: string;
  counterparty?: string | null;
  category?: string | null;
  /** the account it belongs to (a user's history spans accounts: a subscription is charged on one) */
  account_id?: string;
}
