// `make report` / scripts/report.sh [--samples N] [--out FILE]: writes
// docs/reports/05_SYSTEM_READY_REPORT.md from the live stack (health, URLs, availability from
// Prometheus's probes over the stack's lifetime, the security audit's summary) and the newest bench/results figures (startup, recovery, deploy), each metric judged only on
// a measurement. Exit 0 when every measured metric passes, 1 when one fails (the file is written
// either way), 2 on bad usage.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineCommand } from './lib/command/define.ts';
import { auditStack } from './lib/audit/gather.ts';
import { readBackupSettings } from './lib/backup/settings.ts';
import { newestBackup } from './lib/backup/summary.ts';
import { loadComposeModel } from './lib/compose.ts';
import { writeFileAtomic } from './lib/env.ts';
import { UsageError } from './lib/errors.ts';
import { collectHealth, healthProbe, probeHttp, serviceAddresses } from './lib/health.ts';
import { info } from './lib/output.ts';
import { kitRoot, projectRoot } from './lib/paths.ts';
import { type Evidence, type Goal, type ProbeRound, availability, metricRow, summarizeVerdicts } from './lib/report/metrics.ts';
import { availabilityFromPrometheus, describeWindow } from './lib/report/slo.ts';
import { prometheusQuery } from './lib/monitoring/prometheus.ts';
import { describeLogStore, gatherMonitoring, renderMonitoring } from './lib/report/monitoring.ts';
import { logRetention } from './lib/logs/settings.ts';
import { storeSize } from './lib/logs/store.ts';
import { renderAudit } from './lib/report/audit.ts';
import { renderBackups } from './lib/report/backups.ts';
import { benchEvidence, comparisonEvidence, growthEvidence, missingFigure, missingGrowth } from './lib/report/bench-evidence.ts';
import { sizeSubject } from './lib/report/growth.ts';
import type { FigureId } from './lib/report/figures.ts';
import { type EndpointLine, makeTargets, renderReport } from './lib/report/render.ts';
import { currentStack } from './lib/stack.ts';
import { projectFiles } from './lib/state/files.ts';

const resultsDir = path.join(kitRoot, 'bench', 'results');

const reportCommand = {
  name: 'report.sh',
  summary:
    'Write the system-ready report from the live stack (health, URLs, availability over its lifetime from Prometheus) and the newest bench figures; exit 1 when a measured metric misses its goal.',
  options: {
    samples: { type: 'string', value: 'N', default: '20', help: 'availability probes per endpoint when Prometheus has none (1 to 600)' },
    out: { type: 'string', value: 'FILE', default: path.join('docs', 'reports', '05_SYSTEM_READY_REPORT.md'), help: 'where to write the report' },
  },
  examples: ['make report', './scripts/report.sh --samples 100 --out /tmp/report.md'],
} as const;

await defineCommand(reportCommand, {
  validate: ({ values }) => {
    const samples = Number(values.samples);
    if (!Number.isInteger(samples) || samples < 1 || samples > 600)
      throw new UsageError(`--samples must be a whole number from 1 to 600, not '${values.samples}'`);
    return { samples, out: path.resolve(projectRoot, values.out) };
  },
  run: async (options) => {
    const { ctx, values } = await currentStack();
    const model = await loadComposeModel(ctx);
    info(`report: reading the live stack ${model.project}`);
    const services = await collectHealth(model, values);

    const monitoring: EndpointLine[] = [];
    // The monitoring endpoints are the published services of the compose profiles, at their health paths.
    for (const svc of model.services.filter((s) => s.profiles.length > 0)) {
      const target = healthProbe(model, svc.name, values);
      if (!target) continue;
      const probe = await probeHttp(target.url, undefined, target.headers);
      monitoring.push({
        name: svc.name,
        url: target.url,
        status: probe.status ? `HTTP ${probe.status} in ${Math.round(probe.latencyMs)} ms` : 'no answer',
      });
    }

    // Availability over the stack's lifetime from the SLO's probes in Prometheus; only without
    // them (no monitoring, no probe yet) sampled now: every published health URL per round, 0.5 s apart.
    const prometheus = prometheusQuery(model, values);
    const measured = await availabilityFromPrometheus(prometheus);
    let availabilityEvidence: Evidence | undefined;
    let availabilityMetric = 'availability (blackbox probes of every public endpoint, Prometheus)';
    if (measured) {
      availabilityEvidence = {
        value: measured.percent,
        unit: '%',
        source: `Prometheus: ${measured.probes} probes of ${measured.endpoints} public endpoints over ${describeWindow(measured.windowSeconds)}, since ${measured.since.toISOString().replace(/\.\d+Z$/, 'Z')} (since the first probe Prometheus holds, 30 days at most)`,
      };
      info(`report: availability from Prometheus over ${describeWindow(measured.windowSeconds)}: ${measured.percent.toFixed(3)} %`);
    } else {
      const targets = model.services.map((s) => healthProbe(model, s.name, values)).filter((t) => t !== undefined);
      info(`report: no availability probes in Prometheus: sampling ${options.samples} rounds over ${targets.length} health URLs`);
      const rounds: ProbeRound[] = [];
      for (let i = 0; i < options.samples && targets.length; i++) {
        const results = await Promise.all(targets.map((t) => probeHttp(t.url, 2000, t.headers)));
        rounds.push({ ok: results.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300).length, total: results.length });
        if (i + 1 < options.samples) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const available = availability(rounds);
      availabilityMetric = 'availability now (health URLs answering 2xx; no probes in Prometheus)';
      if (available !== undefined)
        availabilityEvidence = {
          value: available,
          unit: '%',
          source: `sampled by this report: ${rounds.reduce((s, r) => s + r.total, 0)} probes of ${targets.length} URLs over ${((options.samples - 1) * 0.5).toFixed(1)} s`,
        };
    }

    const used: string[] = [];
    const row = (goal: Goal, evidence: Evidence | undefined, why = 'no bench figure yet: run `make bench`') => metricRow(goal, evidence, why);
    const benchRow = (goal: Goal, id: FigureId, seconds = true) => row(goal, benchEvidence(resultsDir, id, seconds, used), missingFigure(id));
    const healthyNow = services.filter((s) => s.ok).length;
    const metrics = [
      benchRow({ metric: 'startup, warm (images cached), until all healthy', goal: '< 2 min', below: 120 }, 'start.warm'),
      benchRow({ metric: 'warm start over plain docker compose up --wait (paired)', goal: '< 2 s', below: 2 }, 'start.over-plain'),
      benchRow({ metric: 'startup, cold (own images built), until all healthy', goal: '< 2 min', below: 120 }, 'cold.start'),
      benchRow({ metric: 'cold start on a fresh machine, engine install included', goal: '≤ 3 min', atMost: 180 }, 'fresh.start'),
      benchRow({ metric: 'recovery after a crash, slowest guarded service', goal: '≤ 3 s', atMost: 3 }, 'recovery.crash'),
      benchRow({ metric: 'recovery after a hang, slowest guarded service', goal: '≤ 15 s', atMost: 15 }, 'recovery.hang'),
      benchRow({ metric: 'health check, the whole command', goal: '≤ 1.0 s', atMost: 1 }, 'health.command'),
      row(
        { metric: 'health check against plain docker compose ps (paired)', goal: '≤ 2 ×', atMost: 2 },
        comparisonEvidence(resultsDir, 'health.command', used),
        missingFigure('health.command'),
      ),
      row(
        { metric: 'backup speed against plain pg_dump -Fc of the same database', goal: '≥ 95 %', atLeast: 95 },
        comparisonEvidence(resultsDir, 'backup.duration', used, true),
        missingFigure('backup.duration'),
      ),
      benchRow({ metric: 'deploy duration', goal: '< 5 min', below: 300 }, 'deploy.duration'),
      benchRow({ metric: 'failed requests during a deploy', goal: '0', below: 1 }, 'deploy.failed-requests', false),
      benchRow({ metric: 'failed requests during a restart', goal: '0', below: 1 }, 'restart.failed-requests', false),
      // Cost as the system grows (bench suite scale, one figure per N generated services).
      row(
        { metric: 'health check with 50 generated services', goal: '≤ 2 s', atMost: 2 },
        benchEvidence(resultsDir, 'scale.health', true, used, sizeSubject(50)),
        missingFigure('scale.health', sizeSubject(50)),
      ),
      row(
        { metric: 'health check growth with N (exponent k of c·N^k)', goal: '< 1 (sub-linear)', below: 1 },
        growthEvidence(resultsDir, 'scale.health', used),
        missingFigure('scale.health'),
      ),
      benchRow({ metric: 'start over plain compose up --wait, worst N (paired)', goal: '≤ 2 s', atMost: 2 }, 'scale.over-plain'),
      // 1 is linear; the 0.1 above it is the spread of medians of 3 runs, not growth: a cost that
      // grows with N² (each step scanning every container) shows as 1.5 and more.
      row(
        { metric: 'deploy-all growth with N (exponent k of c·N^k)', goal: '≤ 1.1 (at most linear)', atMost: 1.1 },
        growthEvidence(resultsDir, 'scale.deploy-all', used),
        missingGrowth('scale.deploy-all'),
      ),
      row({ metric: availabilityMetric, goal: '≥ 99.9%', atLeast: 99.9 }, availabilityEvidence, 'no health URL published: is the stack running?'),
      row(
        { metric: 'services healthy now', goal: `all ${services.length}`, atLeast: services.length },
        { value: healthyNow, unit: `of ${services.length}`, source: 'docker health state + one HTTP probe each, at report time' },
      ),
    ];

    const logsDir = projectFiles(model.project).logsDir;
    const monitoringSection = renderMonitoring(
      await gatherMonitoring(prometheus),
      describeLogStore(path.relative(projectRoot, logsDir), storeSize(logsDir), logRetention(values)),
    );

    // The audit's summary, not its verdict: a high finding shows here and fails `make audit`, not the report.
    const audit = await auditStack(model, values).catch((err: Error) => ({ missing: err.message }));

    const imageMode = Object.values(ctx.env).some((v) => v.startsWith('galaxy-offline/')) ? 'offline stand-in' : 'official registry';
    const text = renderReport({
      generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      project: model.project,
      mode: ctx.mode,
      imageMode,
      // Where each is reached: the start table's answer (every published port, else the proxies in front).
      services: services.map((s) => {
        const svc = model.services.find((m) => m.name === s.service);
        return { ...s, url: svc ? serviceAddresses(model, svc) : undefined };
      }),
      monitoring,
      metrics,
      commands: makeTargets(readFileSync(path.join(kitRoot, 'Makefile'), 'utf8')),
      benchLines: used,
      backups: renderBackups(newestBackup(readBackupSettings(values))),
      audit: renderAudit(audit),
      monitoringSection,
      availabilityNote:
        "Startup, recovery and deploy figures come from the newest `make bench` run that measured them (a throwaway copy of the stack on this machine); availability comes from the live stack's own probes in Prometheus (the window is stated), health is measured while this report is written.",
    });
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileAtomic(options.out, text);
    const counts = summarizeVerdicts(metrics);
    for (const m of metrics) info(`  ${m.verdict.padEnd(12)} ${m.metric}: ${m.measured ?? '-'} (goal ${m.goal})`);
    const shown = path.relative(projectRoot, options.out).startsWith('..') ? options.out : path.relative(projectRoot, options.out);
    info(`report: wrote ${shown}: ${counts.PASS} pass, ${counts.FAIL} fail, ${counts['NOT MEASURED']} not measured`);
    return counts.FAIL ? 1 : 0;
  },
});
