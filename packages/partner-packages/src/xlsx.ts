import ExcelJS from 'exceljs';
import type { PackageManifest } from '@qt-led/contract';
import type { PackageFigures } from './figures.js';
import { columnHeader, type Table } from './tables.js';
import { zonedIso } from './zone-time.js';

/**
 * The workbook, laid out like a JCM monitoring report: a summary sheet (what, which period and zone, which
 * methodology and calculator, the reported reductions and completeness), then one sheet per table — input
 * parameters, calculation, per-vessel results, completeness, restatements — with numbers as numbers and
 * units in the headers, the same rows as the CSV files.
 */
export async function packageWorkbook(
  manifest: Omit<PackageManifest, 'files' | 'figuresSha256'>,
  figures: PackageFigures,
  tables: readonly Table[],
): Promise<Buffer> {
  const { period } = figures.result;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = `${manifest.calculator.name} ${manifest.calculator.version}`;
  workbook.created = new Date(manifest.generatedAtUtc);
  workbook.modified = new Date(manifest.generatedAtUtc);

  const summary = workbook.addWorksheet('Summary 概要');
  summary.columns = [{ width: 48 }, { width: 72 }];
  const f = figures.result.fleet;
  const rows: [string, string | number | null][] = [
    ['Package / パッケージ', manifest.packageId],
    ['Partner / 提供先', manifest.partner],
    ['Version / 版', manifest.version],
    ['Supersedes / 旧版', manifest.supersedes],
    ['Period from (local date) / 期間開始（現地日付）', period.from],
    ['Period to, exclusive (local date) / 期間終了（含まず）', period.toExclusive],
    ['Time zone / タイムゾーン', `${manifest.period.timeZone} (UTC${manifest.period.utcOffset})`],
    ['Generated (UTC) / 作成日時（UTC）', manifest.generatedAtUtc],
    ['Methodology / 方法論', `${manifest.methodology.id} ${manifest.methodology.version}`],
    ['Variant / 算定方式', manifest.methodology.variant],
    ['Parameter set SHA-256 / パラメータのハッシュ', manifest.methodology.parameterSetSha256],
    ['Calculator / 計算プログラム', `${manifest.calculator.name} ${manifest.calculator.version}`],
    ['Input data SHA-256 / 入力データのハッシュ', manifest.inputSha256],
    ['Vessels / 船舶数', figures.result.vessels.length],
    ['LED energy EC [MWh] / LED電力量', f.energyMwh],
    ['Reference emissions RE [tCO2] / リファレンス排出量', f.referenceEmissionsTco2],
    ['Project emissions PE [tCO2] / プロジェクト排出量', f.projectEmissionsTco2],
    ['Emission reductions ER, unrounded [tCO2] / 排出削減量（丸め前）', f.emissionReductionsTco2],
    [
      `Emission reductions ER, reported (${f.rounding.mode}, ${f.rounding.decimalPlaces} dp) [tCO2] / 排出削減量（報告値）`,
      f.emissionReductionsReportedTco2,
    ],
    [
      'Readings received / expected / 受信・予定データ数',
      `${f.completeness.readingsReceived} / ${f.completeness.readingsExpected}`,
    ],
    ['Readings ratio [1] / データ受信率', f.completeness.readingsRatio],
    ['Energy observed ratio [1] / 電力量観測率', f.completeness.energyObservedRatio],
    ['Restatements / 再計算件数', manifest.restatements],
    ['Signing key fingerprint (SHA-256) / 署名鍵フィンガープリント', manifest.signature.publicKeyFingerprint],
  ];
  for (const row of rows) summary.addRow(row);
  summary.getColumn(1).font = { bold: true };

  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(table.columns.map((c) => columnHeader(c, period.timeZone, period.fromMs))).font = {
      bold: true,
    };
    for (const row of table.rows) {
      sheet.addRow(
        row.map((cell, i) =>
          table.columns[i]?.kind === 'instant' && typeof cell === 'number'
            ? zonedIso(cell, period.timeZone)
            : cell,
        ),
      );
    }
    sheet.columns.forEach((column) => {
      column.width = 20;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
