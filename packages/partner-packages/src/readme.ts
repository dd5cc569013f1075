import type { PackageManifest } from '@qt-led/contract';
import type { Table } from './tables.js';

/** README.txt of a package, in the partner's language then the other (Japanese, English): what each file is and how to verify the package. */
export function packageReadme(
  manifest: Pick<
    PackageManifest,
    'packageId' | 'partner' | 'period' | 'version' | 'supersedes' | 'signature' | 'language'
  >,
  tables: readonly Table[],
  otherFiles: readonly { name: string; en: string; ja: string }[],
): Buffer {
  const p = manifest.period;
  const en = [
    `Data package ${manifest.packageId} for ${manifest.partner}`,
    `NEDO LED fishing-boat project, Quang Tri, Viet Nam (JCM Japan - Viet Nam)`,
    '',
    `Period: local days ${p.from} to ${p.toExclusive} (exclusive), time zone ${p.timeZone} (UTC${p.utcOffset}).`,
    `Version ${String(manifest.version)}${manifest.supersedes === null ? '' : `, restating ${manifest.supersedes} (see restatements.csv)`}.`,
    '',
    'Files:',
    ...tables.map((t) => `  ${t.file}: ${t.description.en}`),
    ...otherFiles.map((f) => `  ${f.name}: ${f.en}`),
    '',
    'CSV files are UTF-8 with a byte-order mark, comma-separated (RFC 4180). Each header names the column in',
    'English and Japanese ("english [unit] / 日本語"); timestamp columns name their time zone and every',
    'timestamp carries its UTC offset. Text cells that begin with = + - @ are prefixed with an apostrophe.',
    '',
    'Verifying: manifest.json lists every file with its SHA-256 and size; manifest.sig is an Ed25519',
    'signature over the bytes of manifest.json. Run `verify-package <this directory or zip> --key <key.pem>`',
    `with the platform's public key, or compare the fingerprint it prints with the published one:`,
    `  ${manifest.signature.publicKeyFingerprint}`,
  ];
  const ja = [
    `データパッケージ ${manifest.packageId}（提供先: ${manifest.partner}）`,
    'NEDO LED漁灯プロジェクト（ベトナム・クアンチ省、二国間クレジット制度 JCM）',
    '',
    `対象期間: 現地日付 ${p.from} から ${p.toExclusive} の前日まで、タイムゾーン ${p.timeZone}（UTC${p.utcOffset}）。`,
    `第${String(manifest.version)}版${manifest.supersedes === null ? '' : `（${manifest.supersedes} を再計算。restatements.csv を参照）`}。`,
    '',
    'ファイル:',
    ...tables.map((t) => `  ${t.file}: ${t.description.ja}`),
    ...otherFiles.map((f) => `  ${f.name}: ${f.ja}`),
    '',
    'CSV は BOM 付き UTF-8、カンマ区切り（RFC 4180）です。見出しは英語と日本語（"english [単位] / 日本語"）、',
    '日時の列は見出しにタイムゾーンを示し、各日時に UTC からの時差を付けています。',
    '= + - @ で始まる文字列の先頭にはアポストロフィを付けています。',
    '',
    '検証: manifest.json に全ファイルの SHA-256 とサイズを記載し、manifest.sig は manifest.json に対する',
    'Ed25519 署名です。`verify-package <このフォルダまたは zip> --key <公開鍵.pem> --lang ja` を実行するか、',
    '表示されるフィンガープリントを公開されている値と照合してください:',
    `  ${manifest.signature.publicKeyFingerprint}`,
  ];
  // Both languages, the partner's first.
  const [first, second] = manifest.language === 'ja' ? [ja, en] : [en, ja];
  return Buffer.from(
    `${first.join('\r\n')}\r\n\r\n${'-'.repeat(72)}\r\n\r\n${second.join('\r\n')}\r\n`,
    'utf8',
  );
}
