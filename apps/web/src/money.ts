/** Amounts come from the API already in major units as exact decimal strings ("1448.32"). */
export function formatAmount(amount: string, currency: string): string {
  const [whole, fraction] = amount.split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`} ${currency}`;
}

export function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** "50.5300" -> "50.53%" */
export function formatPercent(percent: string): string {
  const trimmed = percent.includes('.') ? percent.replace(/0+$/, '').replace(/\.$/, '') : percent;
  return `${trimmed}%`;
}

/** Basis points (integers) as a percentage, exactly: 5053 -> "50.53%", 2500 -> "25%". */
export function bpToPercent(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const hundredths = bp % 100;
  if (hundredths === 0) return `${whole}%`;
  return `${whole}.${String(hundredths).padStart(2, '0').replace(/0$/, '')}%`;
}
