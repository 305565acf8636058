import { describe, expect, it } from 'vitest';
import { benchIncomeTax } from './bench';

describe('benchIncomeTax', () => {
  it('stays well under 1 ms per computation', () => {
    const micros = benchIncomeTax(2_000);
    expect(micros).toBeGreaterThanOrEqual(0);
    expect(micros).toBeLessThan(1_000);
  });
});
