import { cents, type Dated, type ScaleBracket } from "./dated";

// United States — federal income tax on ordinary income. One entry per tax year.

export const US_FILING_STATUSES = ["single", "married_joint", "married_separate", "head_of_household"] as const;
export type UsFilingStatus = (typeof US_FILING_STATUSES)[number];

export interface UsYearParams {
  /** Seven brackets (IRC §1(j) as extended by OBBBA), thresholds on taxable income. */
  readonly brackets: Readonly<Record<UsFilingStatus, Dated<readonly ScaleBracket[]>>>;
  /** Basic standard deduction (IRC §63(c)); no additional amounts for age or blindness. */
  readonly standardDeduction: Readonly<Record<UsFilingStatus, Dated<number>>>;
}

const RATES_BPS = [1000, 1200, 2200, 2400, 3200, 3500, 3700] as const;
const brackets = (...thresholds: number[]): readonly ScaleBracket[] =>
  RATES_BPS.map((rate_bps, i) => ({ from: i === 0 ? 0 : cents(thresholds[i - 1]!), rate_bps }));

const RP_2023_34 =
  "IRS Rev. Proc. 2023-34 §3.01 (tax year 2024) — https://www.irs.gov/pub/irs-drop/rp-23-34.pdf ; 2024 Tax Rate Schedules https://www.irs.gov/media/166986";
const RP_2024_40 =
  "IRS Rev. Proc. 2024-40 §3.01 (tax year 2025; rates made permanent by Pub. L. 119-21 §70101) — https://www.irs.gov/pub/irs-drop/rp-24-40.pdf";
const OBBBA =
  "One Big Beautiful Bill Act, Pub. L. 119-21 §70102 (standard deduction for 2025: 15 750 / 31 500 / 23 625 $) — https://www.congress.gov/bill/119th-congress/house-bill/1/text ; https://www.irs.gov/newsroom/one-big-beautiful-bill-provisions";
const RP_2023_34_SD = "IRS Rev. Proc. 2023-34 §3.15 (standard deduction 2024) — https://www.irs.gov/pub/irs-drop/rp-23-34.pdf";

const FROM_2024 = "2024-01-01";
const FROM_2025 = "2025-01-01";

export const US_PARAMS: Readonly<Record<number, UsYearParams>> = {
  2024: {
    brackets: {
      single: { from: FROM_2024, source: RP_2023_34, value: brackets(11_600, 47_150, 100_525, 191_950, 243_725, 609_350) },
      married_joint: { from: FROM_2024, source: RP_2023_34, value: brackets(23_200, 94_300, 201_050, 383_900, 487_450, 731_200) },
      married_separate: { from: FROM_2024, source: RP_2023_34, value: brackets(11_600, 47_150, 100_525, 191_950, 243_725, 365_600) },
      head_of_household: { from: FROM_2024, source: RP_2023_34, value: brackets(16_550, 63_100, 100_500, 191_950, 243_700, 609_350) },
    },
    standardDeduction: {
      single: { from: FROM_2024, source: RP_2023_34_SD, value: cents(14_600) },
      married_joint: { from: FROM_2024, source: RP_2023_34_SD, value: cents(29_200) },
      married_separate: { from: FROM_2024, source: RP_2023_34_SD, value: cents(14_600) },
      head_of_household: { from: FROM_2024, source: RP_2023_34_SD, value: cents(21_900) },
    },
  },
  2025: {
    brackets: {
      single: { from: FROM_2025, source: RP_2024_40, value: brackets(11_925, 48_475, 103_350, 197_300, 250_525, 626_350) },
      married_joint: { from: FROM_2025, source: RP_2024_40, value: brackets(23_850, 96_950, 206_700, 394_600, 501_050, 751_600) },
      married_separate: { from: FROM_2025, source: RP_2024_40, value: brackets(11_925, 48_475, 103_350, 197_300, 250_525, 375_800) },
      head_of_household: { from: FROM_2025, source: RP_2024_40, value: brackets(17_000, 64_850, 103_350, 197_300, 250_500, 626_350) },
    },
    // OBBBA replaced Rev. Proc. 2024-40's 15 000 / 30 000 / 22 500 $ retroactively to 2025-01-01.
    standardDeduction: {
      single: { from: FROM_2025, source: OBBBA, value: cents(15_750) },
      married_joint: { from: FROM_2025, source: OBBBA, value: cents(31_500) },
      married_separate: { from: FROM_2025, source: OBBBA, value: cents(15_750) },
      head_of_household: { from: FROM_2025, source: OBBBA, value: cents(23_625) },
    },
  },
};
