// The backup checks of `make audit` (pure): are sets encrypted, and how old is the newest one. The
// facts come from the backup owner: settings.ts (.env) and summary.ts (the newest set's manifest).
import type { BackupSettings } from '../backup/settings.ts';
import type { BackupSummary } from '../backup/summary.ts';
import type { Finding } from './findings.ts';

/** The BackupTooOld alert's threshold (monitoring/prometheus/rules/backup.yml): daily, two hours of slack. */
export const DAILY_SLACK_HOURS = 26;

const HOUR = 3_600_000;

/**
 * Past this the retention the operator chose holds nothing recent at all: with BACKUP_KEEP_DAILY=7,
 * a newest set older than 7 days means every daily slot is empty. Undefined when nothing is kept daily or weekly.
 */
export function staleAfterHours(settings: Pick<BackupSettings, 'keepDaily' | 'keepWeekly'>): number | undefined {
  if (settings.keepDaily > 0) return Math.max(settings.keepDaily * 24, DAILY_SLACK_HOURS);
  if (settings.keepWeekly > 0) return settings.keepWeekly * 7 * 24;
  return undefined;
}

function hoursText(hours: number): string {
  return hours < 48 ? `${Math.floor(hours)} h` : `${Math.floor(hours / 24)} days`;
}

type BackupFacts = Pick<BackupSettings, 'encryptRecipient' | 'offsiteCommand' | 'keepDaily' | 'keepWeekly' | 'dir'>;

export function backupFindings(settings: BackupFacts, newest: BackupSummary | { missing: string }, now: Date): Finding[] {
  const found: Finding[] = [];
  const base = { check: 'backup-encryption' as const, service: 'backups', container: '' };
  if (!settings.encryptRecipient) {
    // high: plaintext sets copied off the machine carry every store's data past this host's file
    // permissions, to wherever the offsite command sends them.
    if (settings.offsiteCommand)
      found.push({
        ...base,
        severity: 'high',
        problem: 'sets are unencrypted and BACKUP_OFFSITE_COMMAND copies them off the machine',
        fix: 'set BACKUP_ENCRYPT_RECIPIENT to an age public key (docs/BACKUP.md)',
      });
    // medium: the default; the sets stay on this machine under its file permissions, and .env is
    // left out of an unencrypted set, so they hold data but no secrets.
    else
      found.push({
        ...base,
        severity: 'medium',
        problem: 'sets are unencrypted (BACKUP_ENCRYPT_RECIPIENT is empty)',
        fix: 'set BACKUP_ENCRYPT_RECIPIENT to an age public key (docs/BACKUP.md)',
      });
  } else if (!('missing' in newest) && newest.encryption !== 'age') {
    // medium: encryption is on now, but the set a restore would use was written before it.
    found.push({ ...base, severity: 'medium', problem: `the newest set ${newest.name} is unencrypted`, fix: 'run make backup to write an encrypted set' });
  }

  const age = { ...base, check: 'backup-age' as const };
  if ('missing' in newest) {
    // medium: a stack fresh from `make start` has no set yet; the BackupTooOld alert watches the schedule.
    found.push({ ...age, severity: 'medium', problem: `no backup: ${newest.missing}`, fix: 'run make backup, and schedule it daily (docs/SETUP.md, cron)' });
    return found;
  }
  const hours = (now.getTime() - new Date(newest.createdAt).getTime()) / HOUR;
  const stale = staleAfterHours(settings);
  if (stale !== undefined && hours > stale) {
    // high: the retention window holds no recent set at all; a restore now loses more than the
    // operator agreed to (BACKUP_KEEP_DAILY days, or the weekly window).
    found.push({
      ...age,
      severity: 'high',
      problem: `the newest set is ${hoursText(hours)} old, past the ${hoursText(stale)} the retention keeps`,
      fix: 'run make backup now; check the cron line and the backup log',
    });
  } else if (hours > DAILY_SLACK_HOURS) {
    // medium: one or a few daily runs missed, as the BackupTooOld alert says; data at risk is bounded.
    found.push({
      ...age,
      severity: 'medium',
      problem: `the newest set is ${hoursText(hours)} old (more than ${DAILY_SLACK_HOURS} h)`,
      fix: 'run make backup; check the cron line and the backup log',
    });
  }
  return found;
}
