import { existsSync } from 'node:fs';

/**
 * The browser the end-to-end tests drive: Debian's chromium (npm test's pretest obtains it), or
 * the executable POWERLENS_CHROMIUM names. On CI it must be there; elsewhere a test without it is
 * skipped and says so.
 */
export const CHROMIUM = process.env.POWERLENS_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM) || process.env.CI === 'true';
/** Where screenshots go, to be opened and judged. */
export const ARTIFACTS = 'test-artifacts';
