import pc from 'picocolors';
import type { CurvePoint } from '../../analysis/report-types.js';
import { formatCount } from './numbers.js';

/**
 * The Power User Curve as horizontal bars: one line per number of active days, the power users'
 * part drawn solid and everyone else shaded, so the "smile" on the right stands out.
 */
export function renderCurve(curve: readonly CurvePoint[], width = 50): string {
  const max = Math.max(1, ...curve.map((c) => c.users));
  const countWidth = Math.max(6, ...curve.map((c) => formatCount(c.users).length));
  const lines = curve.map((c) => {
    const total = Math.round((c.users / max) * width);
    const power = Math.min(total, Math.round((c.power_users / max) * width));
    const bar = pc.cyan('█'.repeat(power)) + pc.dim('░'.repeat(total - power));
    const label = String(c.days_active).padStart(3);
    const count = formatCount(c.users).padStart(countWidth);
    const powerNote = c.power_users > 0 ? pc.cyan(` (${formatCount(c.power_users)} power)`) : '';
    return `${label} d ${count} ${bar}${powerNote}`;
  });
  return lines.join('\n');
}
