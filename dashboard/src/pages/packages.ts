import type { AppContext, Cleanup } from '../app.js';
import { withLoading } from '../app.js';
import { ApiError } from '../api/client.js';
import type {
  PackageIssueOutcome,
  PackageReceipt,
  PackageScheduleEntry,
  PackageSigningKey,
  PackageSummary,
  PartnerId,
} from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';
import { h, table } from '../ui/dom.js';
import { saveFile } from '../ui/download.js';
import { lastCompleteMonth, packageRows, receiptsView } from './packages-model.js';

/** Receipts shown per partner (the API keeps them all). */
const RECEIPTS_SHOWN = 20;
const KEY_FILE = 'package-signing-key.pub.pem';

/**
 * The partners' data packages. Analysts and admins: the schedule, every package with the version it
 * restates, "issue a month now", and each partner's receipts. Partners: their own packages to download,
 * and how to check one against the platform's signing key.
 */
export async function packagesPage(ctx: AppContext, root: HTMLElement): Promise<Cleanup> {
  const { i18n } = ctx;
  const partnerView = ctx.session.user.role === 'partner';
  const slot = h('div');
  root.append(
    h('h1', {}, i18n.t('packages.title')),
    h('p', { class: 'muted' }, i18n.t(partnerView ? 'packages.intro.partner' : 'packages.intro.staff')),
    slot,
  );
  if (partnerView) await partnerPackages(ctx, slot);
  else await staffPackages(ctx, slot);
  return () => undefined;
}

const partnerName = (i18n: I18n, partner: string): string => i18n.tDynamic(`partner.${partner}`, partner);

/** `2026-11` or `2026-11-01` as the month it is, the local way ("November 2026", "2026年11月"). */
function monthName(i18n: I18n, month: string): string {
  const ms = Date.parse(`${month.slice(0, 7)}-15T00:00:00Z`);
  if (Number.isNaN(ms)) return month;
  return new Intl.DateTimeFormat(i18n.locale, { timeZone: 'UTC', year: 'numeric', month: 'long' }).format(ms);
}

async function partnerPackages(ctx: AppContext, slot: HTMLElement): Promise<void> {
  const { i18n, api } = ctx;
  const data = await withLoading(ctx, slot, () =>
    Promise.all([api.me(), api.packages(), api.packageSigningKey()]),
  );
  if (data === undefined) return;
  const [me, packages, key] = data;
  if (me.partner === null) {
    slot.append(h('p', { class: 'panel', id: 'no-partner' }, i18n.t('packages.noPartner')));
    return;
  }
  const list = h(
    'section',
    { class: 'panel', id: 'package-list' },
    h('h2', {}, i18n.t('packages.own', { partner: partnerName(i18n, me.partner) })),
  );
  list.append(...packagesTable(ctx, packages, false));
  slot.append(list, keyView(ctx, key, packages[0]?.packageId));
}

async function staffPackages(ctx: AppContext, slot: HTMLElement): Promise<void> {
  const { i18n, api } = ctx;
  const data = await withLoading(ctx, slot, () =>
    Promise.all([api.packageSchedule(), api.packages(), api.packageSigningKey()]),
  );
  if (data === undefined) return;
  const [schedule, packages, key] = data;
  const partners = schedule.map((s) => s.partner);

  const listSlot = h('div');
  listSlot.append(...packagesTable(ctx, packages, true));
  const receiptsSlot = h('div');
  const showList = async (): Promise<void> => {
    const fresh = await withLoading(ctx, listSlot, () => api.packages());
    if (fresh !== undefined) listSlot.append(...packagesTable(ctx, fresh, true));
  };
  const showReceipts = async (): Promise<void> => {
    const all = await withLoading(ctx, receiptsSlot, () =>
      Promise.all(partners.map((p) => api.packageReceipts(p))),
    );
    if (all !== undefined)
      receiptsSlot.append(...partners.map((p, i) => partnerReceipts(i18n, p, all[i] ?? [])));
  };

  slot.append(
    scheduleView(i18n, schedule),
    issueForm(ctx, partners, () => Promise.all([showList(), showReceipts()]).then(() => undefined)),
    h('section', { class: 'panel', id: 'package-list' }, h('h2', {}, i18n.t('packages.list')), listSlot),
    h(
      'section',
      { class: 'panel', id: 'package-receipts' },
      h('h2', {}, i18n.t('packages.receipts')),
      receiptsSlot,
    ),
    keyView(ctx, key, packages[0]?.packageId),
  );
  await showReceipts();
}

function scheduleView(i18n: I18n, schedule: readonly PackageScheduleEntry[]): HTMLElement {
  const rows = schedule.map((s) => [
    partnerName(i18n, s.partner),
    i18n.tDynamic(`packages.scope.${s.scope}`, s.scope),
    i18n.tDynamic(`lang.${s.language}`, s.language),
    i18n.t('packages.delayDays', { days: s.delayDays }),
    i18n.t('packages.restateMonths', { months: s.restateMonths }),
    s.since === null ? i18n.t('packages.notStarted') : monthName(i18n, s.since),
    i18n.t('packages.nextDue', { month: monthName(i18n, s.nextPeriodFrom), due: i18n.dateTime(s.nextDueMs) }),
  ]);
  const view = table(
    [
      i18n.t('packages.col.partner'),
      i18n.t('packages.col.scope'),
      i18n.t('packages.col.language'),
      i18n.t('packages.col.delay'),
      i18n.t('packages.col.restate'),
      i18n.t('packages.col.since'),
      i18n.t('packages.col.next'),
    ],
    rows,
  );
  view.id = 'schedule-table';
  schedule.forEach((s, i) => {
    const tr = view.tBodies[0]?.rows[i];
    if (tr !== undefined) tr.dataset['partner'] = s.partner;
  });
  return h(
    'section',
    { class: 'panel', id: 'package-schedule' },
    h('h2', {}, i18n.t('packages.schedule')),
    view,
  );
}

function issueForm(
  ctx: AppContext,
  partners: readonly PartnerId[],
  refresh: () => Promise<void>,
): HTMLElement {
  const { i18n, api } = ctx;
  const partner = h(
    'select',
    { id: 'issue-partner', required: true },
    ...partners.map((p) => h('option', { value: p }, partnerName(i18n, p))),
  );
  const latest = lastCompleteMonth(ctx.now());
  const month = h('input', { type: 'month', id: 'issue-month', value: latest, max: latest, required: true });
  const submit = h(
    'button',
    { type: 'submit', disabled: partners.length === 0 },
    i18n.t('packages.issue.submit'),
  );
  const outcome = h('p', { id: 'issue-outcome', role: 'status', hidden: true });
  const form = h(
    'form',
    { class: 'period-form', id: 'issue-form' },
    h('label', {}, i18n.t('packages.issue.partner'), partner),
    h('label', {}, i18n.t('packages.issue.month'), month),
    h('div', { class: 'buttons' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = partners.find((p) => p === partner.value);
    if (chosen === undefined) return;
    submit.disabled = true;
    outcome.hidden = true;
    api
      .issuePackage({ partner: chosen, ...(month.value === '' ? {} : { month: month.value }) })
      .then(async (result) => {
        show(outcome, result.issued ? 'issued' : 'unchanged', issueMessage(i18n, result));
        await refresh();
      })
      .catch((error: unknown) => {
        const message = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
        show(outcome, 'refused', i18n.t('packages.issue.refused', { message }));
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return h(
    'section',
    { class: 'panel', id: 'package-issue' },
    h('h2', {}, i18n.t('packages.issue.title')),
    h('p', { class: 'muted small' }, i18n.t('packages.issue.hint')),
    form,
    outcome,
  );
}

function show(line: HTMLElement, state: 'issued' | 'unchanged' | 'refused', message: string): void {
  line.dataset['outcome'] = state;
  line.className = 'issue-outcome';
  line.textContent = message;
  line.hidden = false;
}

function issueMessage(i18n: I18n, result: PackageIssueOutcome): string {
  const params = {
    id: result.packageId,
    version: result.version,
    partner: partnerName(i18n, result.partner),
    month: monthName(i18n, result.from),
    count: result.restatements,
  };
  if (!result.issued) return i18n.t('packages.issue.unchanged', params);
  return i18n.t(result.restatements > 0 ? 'packages.issue.restated' : 'packages.issue.issued', params);
}

/** The packages, each with a zip download; `withPartner` for the analysts' list of every partner's. */
function packagesTable(
  ctx: AppContext,
  list: readonly PackageSummary[],
  withPartner: boolean,
): HTMLElement[] {
  const { i18n, api } = ctx;
  if (list.length === 0) return [h('p', { class: 'muted', id: 'packages-none' }, i18n.t('packages.none'))];
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  const rows = packageRows(list);
  const cells = rows.map(({ summary, month, restates, supersededBy }) => {
    const download = h(
      'button',
      { type: 'button', class: 'secondary download', 'data-package': summary.packageId },
      i18n.t('packages.download'),
    );
    download.addEventListener('click', () => {
      download.disabled = true;
      problem.hidden = true;
      api
        .packageDownload(summary.packageId)
        .then(({ blob, fileName }) => saveFile(blob, fileName))
        .catch((error: unknown) => {
          problem.hidden = false;
          problem.textContent = i18n.t('common.error', {
            message: error instanceof ApiError ? error.message : String(error),
          });
        })
        .finally(() => {
          download.disabled = false;
        });
    });
    const version = h(
      'span',
      { class: 'version' },
      i18n.t('packages.version', { version: summary.version }),
      restates === null
        ? null
        : h('span', { class: 'restates small' }, i18n.t('packages.restates', { version: restates })),
      supersededBy === null
        ? null
        : h(
            'span',
            { class: 'superseded small muted' },
            i18n.t('packages.supersededBy', { version: supersededBy }),
          ),
    );
    return [
      h('code', { class: 'package-id' }, summary.packageId),
      ...(withPartner ? [partnerName(i18n, summary.partner)] : []),
      monthName(i18n, month),
      version,
      i18n.number(summary.restatements, 0),
      i18n.percent(summary.readingsRatio),
      i18n.dateTime(Date.parse(summary.generatedAtUtc)),
      download,
    ];
  });
  const view = table(
    [
      i18n.t('packages.col.package'),
      ...(withPartner ? [i18n.t('packages.col.partner')] : []),
      i18n.t('packages.col.period'),
      i18n.t('packages.col.version'),
      i18n.t('packages.col.restatements'),
      i18n.t('packages.col.readings'),
      i18n.t('packages.col.generated'),
      i18n.t('packages.col.download'),
    ],
    cells,
    'data packages',
  );
  view.id = 'packages-table';
  rows.forEach(({ summary, supersededBy }, i) => {
    const tr = view.tBodies[0]?.rows[i];
    if (tr === undefined) return;
    tr.dataset['package'] = summary.packageId;
    tr.dataset['partner'] = summary.partner;
    tr.dataset['current'] = String(supersededBy === null);
  });
  return [view, problem];
}

function partnerReceipts(i18n: I18n, partner: PartnerId, receipts: readonly PackageReceipt[]): HTMLElement {
  const { latest, counts } = receiptsView(receipts, RECEIPTS_SHOWN);
  const box = h(
    'div',
    { class: 'receipts', 'data-partner': partner },
    h('h3', {}, partnerName(i18n, partner)),
    h(
      'p',
      { class: 'muted small receipt-counts' },
      i18n.t('packages.receiptsCount', {
        issued: counts.issued,
        downloads: counts.download,
        deliveries: counts.delivery,
      }),
    ),
  );
  if (latest.length === 0) {
    box.append(h('p', { class: 'muted' }, i18n.t('packages.noReceipts')));
    return box;
  }
  const view = table(
    [
      i18n.t('packages.col.at'),
      i18n.t('packages.col.package'),
      i18n.t('packages.col.kind'),
      i18n.t('packages.col.by'),
      i18n.t('packages.col.outcome'),
      i18n.t('packages.col.detail'),
    ],
    latest.map((r) => [
      i18n.dateTime(r.atMs),
      h('code', {}, r.packageId),
      i18n.tDynamic(`packages.kind.${r.kind}`, r.kind),
      i18n.tDynamic(`packages.by.${r.by}`, r.by),
      h(
        'span',
        { class: `receipt-outcome ${r.outcome}` },
        i18n.tDynamic(`packages.outcome.${r.outcome}`, r.outcome),
      ),
      // Written by the server, in English.
      r.detail === undefined ? i18n.t('common.missing') : h('span', { lang: 'en' }, r.detail),
    ]),
    'data receipts',
  );
  latest.forEach((r, i) => {
    const tr = view.tBodies[0]?.rows[i];
    if (tr !== undefined) tr.dataset['kind'] = r.kind;
  });
  box.append(view);
  if (receipts.length > latest.length) {
    box.append(
      h(
        'p',
        { class: 'muted small' },
        i18n.t('packages.receiptsLatest', { shown: latest.length, total: receipts.length }),
      ),
    );
  }
  return box;
}

/** The signing key's fingerprint and the one line a partner runs to check a zip against it. */
function keyView(ctx: AppContext, key: PackageSigningKey, example: string | undefined): HTMLElement {
  const { i18n } = ctx;
  const save = h(
    'button',
    { type: 'button', class: 'secondary', id: 'save-key' },
    i18n.t('packages.key.save'),
  );
  save.addEventListener('click', () => {
    saveFile(new Blob([key.publicKeyPem], { type: 'application/x-pem-file' }), KEY_FILE);
  });
  const lang = i18n.language === 'ja' ? 'ja' : 'en';
  const command = `npx verify-package ${example ?? '<package>'}.zip --key ${KEY_FILE} --lang ${lang}`;
  return h(
    'section',
    { class: 'panel', id: 'signing-key' },
    h('h2', {}, i18n.t('packages.key.title')),
    h(
      'dl',
      { class: 'intermediates' },
      h('div', {}, h('dt', {}, i18n.t('packages.key.algorithm')), h('dd', {}, key.algorithm)),
      h(
        'div',
        {},
        h('dt', {}, i18n.t('packages.key.fingerprint')),
        h('dd', {}, h('code', { id: 'key-fingerprint', class: 'fingerprint' }, key.fingerprintGrouped)),
      ),
    ),
    h('p', {}, i18n.t('packages.key.how')),
    h('pre', { class: 'command' }, h('code', { id: 'verify-command' }, command)),
    save,
  );
}
