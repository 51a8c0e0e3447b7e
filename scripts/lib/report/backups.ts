// The report's "Backups" section (pure): the newest set's stores as its manifest lists them, and
// the services whose volume nobody decided about.
import { type BackupSummary, describeCounts } from '../backup/summary.ts';

export function renderBackups(summary: BackupSummary | { missing: string }): string[] {
  if ('missing' in summary) return ['## Backups', '', `Not measured: ${summary.missing}. Run \`make backup\`.`, ''];
  const stores = summary.stores.length
    ? [
        '| service | `galaxy.backup` | file | bytes | at backup time |',
        '| --- | --- | --- | --- | --- |',
        ...summary.stores.map((s) => `| ${s.service} | \`${s.label}\` | ${s.file} | ${s.bytes} | ${describeCounts(s.counts)} |`),
      ]
    : ['No service was labelled `galaxy.backup`: the set holds the config only.'];
  const undecided = summary.notBackedUp.map((n) => `- Not backed up: ${n.service} (${n.volumes.join(', ')}): no \`galaxy.backup\` label.`);
  return [
    '## Backups',
    '',
    `Newest set \`${summary.name}\`, written ${summary.createdAt}, ${summary.totalBytes} bytes${summary.encryption === 'age' ? ', encrypted with age' : ''}. ` +
      'Its stores, from its manifest (what `make restore` and `make backup-verify` put back):',
    '',
    ...stores,
    '',
    ...(undecided.length ? [...undecided, ''] : []),
  ];
}
