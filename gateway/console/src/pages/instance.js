// @ts-check
/**
 * Instance: endpoints, instance id, the CA bundle to download, readiness, the request rate, what the audit and the disk
 * hold, and the last hour drawn from the gateway's own counters (DescribeInstanceHistory, 10-second samples).
 */
import { call, readiness } from '../api.js';
import { h, download, when, replace, chart } from '../dom.js';
import { onLeave } from '../app.js';

/** @param {HTMLElement} body */
export async function render(body) {
  const info = await call('DescribeInstance');
  const health = h('dd', { id: 'health' }, await readiness());
  const qps = h('dd', { id: 'qps' }, 'measuring…');
  const total = h('dd', { id: 'requests' }, String(info.RequestsTotal));
  const storage = h('dd', { id: 'storage' }, storageText(info.Storage));
  const charts = h('div', { class: 'charts', id: 'charts' });
  const drawCharts = async () => {
    try {
      replace(charts, ...lastHour(await call('DescribeInstanceHistory')));
    } catch (e) {
      if (/** @type {any} */ (e).status !== 403) {
        throw e;
      }
      replace(charts, h('p', null, 'The charts need an admin token with role ReadOnly or Admin.'));
    }
  };
  replace(body,
    h('dl', { class: 'facts' },
      h('dt', null, 'Instance ID'), h('dd', { id: 'instance-id' }, info.InstanceId),
      h('dt', null, 'Endpoint (applications, SDK)'), h('dd', null, h('code', null, info.Endpoint)),
      h('dt', null, 'Admin endpoint'), h('dd', null, h('code', null, info.AdminEndpoint)),
      h('dt', null, 'Health'), health,
      h('dt', null, 'Requests per second'), qps,
      h('dt', null, 'Requests served'), total,
      h('dt', null, 'Started'), h('dd', null, when(info.StartTime)),
      h('dt', null, 'Store'), h('dd', null, info.SharedStore ? 'shared (PostgreSQL)' : 'embedded (this gateway only)'),
      h('dt', null, 'TLS engine'), h('dd', null, info.TlsEngine),
      h('dt', null, 'Audit and disk'), storage,
      h('dt', null, 'Checked at start'), h('dd', { id: 'start-checks' },
        Object.entries(info.StartChecks || {}).map(([part, result]) => `${part}: ${result}`).join('; '))),
    h('section', { class: 'panel' }, h('h2', null, 'Last hour'), charts),
    h('section', { class: 'panel' },
      h('h2', null, 'Instance CA certificate'),
      h('p', null, 'Applications verify the gateway with this CA bundle: pass it to the SDK as the CA file (caFilePath).'),
      h('button', {
        type: 'button',
        class: 'primary',
        onclick: () => download(info.CaFileName, info.CaCertificate, 'application/x-pem-file'),
      }, `Download ${info.CaFileName}`)));

  await drawCharts();
  let ticks = 0;
  let last = { n: Number(info.RequestsTotal), t: performance.now() };
  const timer = setInterval(async () => {
    try {
      const now = await call('DescribeInstance');
      const t = performance.now();
      const n = Number(now.RequestsTotal);
      qps.textContent = ((n - last.n) / ((t - last.t) / 1000)).toFixed(1);
      total.textContent = String(n);
      last = { n, t };
      health.textContent = await readiness();
      storage.textContent = storageText(now.Storage);
      if (++ticks % 5 === 0) {
        await drawCharts(); // a new sample every 10 s
      }
    } catch (e) {
      health.textContent = 'unreachable';
    }
  }, 2000);
  onLeave(() => clearInterval(timer));
}

/** @param {number} bytes */
function size(bytes) {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** @param {any} s DescribeInstance's Storage */
function storageText(s) {
  if (!s) {
    return '—';
  }
  const budget = s.AuditMaxBytes > 0 ? ` of ${size(s.AuditMaxBytes)} (${Math.round((100 * s.AuditBytes) / s.AuditMaxBytes)} %)` : ' (unbounded)';
  const oldest = s.AuditOldestRecord ? `, oldest record ${when(s.AuditOldestRecord)}` : '';
  return `audit ${size(s.AuditBytes)}${budget}${oldest}; disk ${size(s.DataDirFreeBytes)} free of ${size(s.DataDirTotalBytes)}`;
}

/** @param {any} history DescribeInstanceHistory */
function lastHour(history) {
  const samples = /** @type {any[]} */ (history.Samples);
  const of = (/** @type {string} */ k) => samples.map((x) => Number(x[k]));
  const budget = Number(history.AuditMaxBytes);
  return [
    chart('Requests per second', of('RequestsPerSecond'), (v) => `${v.toFixed(1)}/s`, 'chart-rps'),
    chart('Errors per second', of('ErrorsPerSecond'), (v) => `${v.toFixed(1)}/s`, 'chart-errors'),
    chart('p99 latency', of('P99Millis'), (v) => `${v.toFixed(1)} ms`, 'chart-p99'),
    budget > 0
      ? chart('Audit budget used', of('AuditBytes').map((b) => (100 * b) / budget), (v) => `${v.toFixed(0)} %`, 'chart-audit')
      : chart('Audit bytes on disk', of('AuditBytes'), size, 'chart-audit'),
  ];
}
