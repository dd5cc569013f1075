#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readPackageFiles } from './package-files.js';
import { groupedFingerprint } from './signing.js';
import { type VerifyReport, verifyPackage } from './verify.js';

const USAGE = `usage: verify-package <package directory or .zip> [--key <public-key.pem>] [--fingerprint <hex>]
                      [--lang en|ja] [--json]

Checks a NEDO LED fishing-boat data package offline: the Ed25519 signature over manifest.json, every
file's SHA-256 and size, and the manifest's schema. Exit status 0: the package is intact and signed;
1: something does not match (the file is named); 2: the command was used wrongly.
Without --key the copy of the key inside the package is used: compare the fingerprint printed with the
one the platform publishes (GET /api/v1/packages/signing-key), or pass it with --fingerprint.`;

type Lang = 'en' | 'ja';

const TEXT = {
  en: {
    ok: 'OK: the package is intact and its signature verifies',
    bad: 'FAILED: the package does not verify',
    package: 'package',
    partner: 'partner',
    period: 'period (local days, end exclusive)',
    generated: 'generated (UTC)',
    methodology: 'methodology',
    calculator: 'calculator',
    completeness: 'readings received / expected',
    restatements: 'restatements',
    files: 'files checked',
    key: 'signing key fingerprint',
    keyGiven: '(the key given)',
    keyPackage: '(the copy in the package: compare it with the published fingerprint)',
    problem: 'problem',
  },
  ja: {
    ok: '検証成功: パッケージは改変されておらず、署名は有効です',
    bad: '検証失敗: パッケージを検証できません',
    package: 'パッケージ',
    partner: '提供先',
    period: '対象期間（現地日付、終了日を含まず）',
    generated: '作成日時（UTC）',
    methodology: '方法論',
    calculator: '計算プログラム',
    completeness: '受信データ数 / 予定データ数',
    restatements: '再計算件数',
    files: '確認したファイル数',
    key: '署名鍵フィンガープリント',
    keyGiven: '（指定された鍵）',
    keyPackage: '（パッケージ内の鍵。公開されているフィンガープリントと照合してください）',
    problem: '問題',
  },
} as const;

function summary(report: VerifyReport, lang: Lang): string {
  const t = TEXT[lang];
  const lines: string[] = [report.ok ? t.ok : t.bad];
  const m = report.manifest;
  if (m !== null) {
    const c = m.completeness;
    lines.push(
      `  ${t.package}: ${m.packageId} (v${String(m.version)}${m.supersedes === null ? '' : ` ← ${m.supersedes}`})`,
      `  ${t.partner}: ${m.partner}`,
      `  ${t.period}: ${m.period.from} – ${m.period.toExclusive} ${m.period.timeZone} (UTC${m.period.utcOffset})`,
      `  ${t.generated}: ${m.generatedAtUtc}`,
      `  ${t.methodology}: ${m.methodology.id} ${m.methodology.version} (${m.methodology.variant})`,
      `  ${t.calculator}: ${m.calculator.name} ${m.calculator.version}`,
      `  ${t.completeness}: ${String(c.readingsReceived)} / ${String(c.readingsExpected)}` +
        (c.readingsRatio === null ? '' : ` (${(c.readingsRatio * 100).toFixed(1)} %)`),
      `  ${t.restatements}: ${String(m.restatements)}`,
      `  ${t.files}: ${String(m.files.length)}`,
    );
  }
  if (report.key !== null) {
    lines.push(
      `  ${t.key}: ${groupedFingerprint(report.key.fingerprint)} ${report.key.source === 'given' ? t.keyGiven : t.keyPackage}`,
    );
  }
  for (const p of report.problems) lines.push(`  ${t.problem}: [${p.code}] ${p.file ?? ''} ${p.message}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        key: { type: 'string' },
        fingerprint: { type: 'string' },
        lang: { type: 'string', default: 'en' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const lang = values.lang;
  if (positionals.length !== 1 || (lang !== 'en' && lang !== 'ja')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let source;
  try {
    source = await readPackageFiles(positionals[0] as string);
  } catch (error) {
    process.stderr.write(`cannot read ${String(positionals[0])}: ${(error as Error).message}\n`);
    return 2;
  }
  let publicKeyPem: string | undefined;
  if (values.key !== undefined) {
    try {
      publicKeyPem = await readFile(values.key, 'utf8');
    } catch (error) {
      process.stderr.write(`cannot read the key ${values.key}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const report = verifyPackage(
    source.files,
    {
      ...(publicKeyPem === undefined ? {} : { publicKeyPem }),
      ...(values.fingerprint === undefined ? {} : { fingerprint: values.fingerprint }),
    },
    source.unexpected,
  );
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ ok: report.ok, problems: report.problems, key: report.key })}\n`
      : `${summary(report, lang)}\n`,
  );
  return report.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
