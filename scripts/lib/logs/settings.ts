// The log store's retention (docs/LOGS.md): LOG_MAX_AGE_DAYS and LOG_MAX_SIZE_MB, checked with the
// rest of .env before any engine call (env.ts validateEnv). The store itself applies them
// (services/log-store/logstore.py); a value it would refuse never reaches it.

export const LOG_SETTINGS = {
  LOG_MAX_AGE_DAYS: { fallback: 14, max: 3650, unit: 'days' },
  LOG_MAX_SIZE_MB: { fallback: 1024, max: 1_048_576, unit: 'MB' },
} as const;

export interface LogRetention {
  maxAgeDays: number;
  maxSizeMb: number;
}

/** One problem per bad setting; an empty or absent one means its default. */
export function logSettingsProblems(values: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(LOG_SETTINGS)) {
    const value = (values[name] ?? '').trim();
    if (value === '') continue;
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > rule.max)
      problems.push(`.env has ${name}=${value}: use a whole number of ${rule.unit} from 1 to ${rule.max}`);
  }
  return problems;
}

/** The retention in force (defaults for empty settings); call after logSettingsProblems found none. */
export function logRetention(values: Record<string, string>): LogRetention {
  const pick = (name: keyof typeof LOG_SETTINGS) => Number((values[name] ?? '').trim() || LOG_SETTINGS[name].fallback);
  return { maxAgeDays: pick('LOG_MAX_AGE_DAYS'), maxSizeMb: pick('LOG_MAX_SIZE_MB') };
}
