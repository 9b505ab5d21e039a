// @ts-check
/** Instance: endpoints, instance id, the CA bundle to download, readiness and the request rate. */
import { call, readiness } from '../api.js';
import { h, download, when, replace } from '../dom.js';
import { onLeave } from '../app.js';

/** @param {HTMLElement} body */
export async function render(body) {
  const info = await call('DescribeInstance');
  const health = h('dd', { id: 'health' }, await readiness());
  const qps = h('dd', { id: 'qps' }, 'measuring…');
  const total = h('dd', { id: 'requests' }, String(info.RequestsTotal));
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
      h('dt', null, 'Checked at start'), h('dd', { id: 'start-checks' },
        Object.entries(info.StartChecks || {}).map(([part, result]) => `${part}: ${result}`).join('; '))),
    h('section', { class: 'panel' },
      h('h2', null, 'Instance CA certificate'),
      h('p', null, 'Applications verify the gateway with this CA bundle: pass it to the SDK as the CA file (caFilePath).'),
      h('button', {
        type: 'button',
        class: 'primary',
        onclick: () => download(info.CaFileName, info.CaCertificate, 'application/x-pem-file'),
      }, `Download ${info.CaFileName}`)));

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
    } catch (e) {
      health.textContent = 'unreachable';
    }
  }, 2000);
  onLeave(() => clearInterval(timer));
}
