// The print page: submit a map job, then poll each unfinished job until it ends; offer the download.
(function () {
  'use strict';

  const form = document.getElementById('print-form');
  const errorBox = document.getElementById('print-error');
  const tbody = document.querySelector('#print-jobs tbody');
  const jobs = new Map();
  const STATUS = {queued: '排队中', running: '进行中', succeeded: '已完成', failed: '失败', cancelled: '已取消'};
  const POLL_MS = 700;

  function csrfToken() {
    return form.querySelector('input[name=csrfmiddlewaretoken]').value;
  }

  function cell(row, text) {
    const td = document.createElement('td');
    td.textContent = text;  // text only: names and messages are never parsed as HTML
    row.appendChild(td);
    return td;
  }

  function render(job) {
    let row = document.getElementById('job-' + job.id);
    if (!row) {
      row = document.createElement('tr');
      row.id = 'job-' + job.id;
      tbody.prepend(row);
    }
    row.replaceChildren();
    row.dataset.status = job.status;
    const report = job.report || {};
    const unitName = report.unit ? report.unit.name : job.unit_name;
    cell(row, job.id);
    cell(row, job.params.unit + ' ' + unitName);
    cell(row, job.params.paper + ' ' + (job.params.orientation === 'landscape' ? '横版' : '竖版') + ' ' +
      job.params.format.toUpperCase());
    cell(row, job.params.at || '现行');
    cell(row, STATUS[job.status] || job.status);
    const progressCell = cell(row, '');
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = job.progress;
    bar.className = 'job-progress';
    progressCell.append(bar, ' ' + job.progress + '% ' + (job.message || ''));
    const result = cell(row, '');
    if (job.download) {
      const link = document.createElement('a');
      link.href = job.download;
      link.className = 'job-download';
      link.textContent = '下载 ' + (report.output || '');
      result.append(link);
      const notes = [];
      if (report.scale) notes.push('比例尺 ' + report.scale.fraction);
      if (report.render_seconds !== undefined) notes.push(report.render_seconds.toFixed(1) + ' 秒');
      const missing = report.labels ? report.labels.missing : [];
      if (missing.length) notes.push('未能注记：' + missing.join('、'));
      if (report.synthetic_layers && report.synthetic_layers.length) notes.push('含示例（合成）数据');
      if (notes.length) result.append(document.createElement('br'), notes.join('；'));
      (report.warnings || []).forEach(warning => {
        const line = document.createElement('div');
        line.className = 'job-warning';
        line.textContent = '注意：' + warning;
        result.append(line);
      });
    } else if (job.error) {
      result.textContent = job.error;
      result.className = 'job-error';
    } else if (job.cancel) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'job-cancel';
      button.textContent = '取消';
      button.addEventListener('click', () => cancel(job));
      result.append(button);
    }
    jobs.set(job.id, job);
    updateZip();
  }

  // "全部下载": the finished maps listed, as one zip (GET /api/v1/map-jobs/files.zip?ids=...).
  const zipButton = document.getElementById('print-zip');
  const zipCount = document.getElementById('print-zip-count');

  function finishedIds() {
    return Array.from(jobs.values()).filter(job => job.download).map(job => job.id).sort((a, b) => a - b);
  }

  function updateZip() {
    const ids = finishedIds();
    zipButton.disabled = ids.length === 0;
    zipCount.textContent = ids.length ? '（' + ids.length + ' 幅）' : '';
  }

  function attachmentName(response) {
    const header = response.headers.get('Content-Disposition') || '';
    const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (encoded) return decodeURIComponent(encoded[1]);
    const plain = /filename="([^"]+)"/.exec(header);
    return plain ? plain[1] : 'maps.zip';
  }

  async function downloadAll() {
    errorBox.hidden = true;
    const ids = finishedIds();
    if (!ids.length) return;
    zipButton.disabled = true;
    try {
      const response = await fetch('/api/v1/map-jobs/files.zip?ids=' + ids.join(','), {
        headers: {Accept: 'application/zip, application/json'}
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        errorBox.textContent = body.error ? body.error.message : response.statusText;  // e.g. a file cleared away
        errorBox.hidden = false;
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = attachmentName(response);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } finally {
      updateZip();
    }
  }

  async function cancel(job) {
    const response = await fetch(job.cancel, {
      method: 'POST', headers: {'X-CSRFToken': csrfToken(), Accept: 'application/json'}
    });
    const body = await response.json();
    if (response.ok) {
      render(body);
    } else {
      errorBox.textContent = body.error ? body.error.message : response.statusText;  // e.g. it has started
      errorBox.hidden = false;
      poll(job.id);
    }
  }

  async function poll(id) {
    const response = await fetch('/api/v1/map-jobs/' + id, {headers: {Accept: 'application/json'}});
    if (!response.ok) return;
    const job = await response.json();
    render(job);
    if (job.status === 'queued' || job.status === 'running') setTimeout(() => poll(id), POLL_MS);
  }

  function formData() {
    const data = Object.fromEntries(new FormData(form));
    delete data.csrfmiddlewaretoken;
    if (!data.at) delete data.at;
    return data;
  }

  async function order(data) {
    const response = await fetch('/api/v1/map-jobs', {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), Accept: 'application/json'},
      body: JSON.stringify(data),
    });
    const body = await response.json();
    if (!response.ok) {
      errorBox.textContent = body.error ? body.error.message : response.statusText;
      errorBox.hidden = false;
      return false;
    }
    render(body);
    poll(body.id);
    return true;
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    errorBox.hidden = true;
    order(formData());
  });

  // The plan's set: one job per unit offered, with the paper, orientation, day and format chosen.
  document.getElementById('print-set').addEventListener('click', async () => {
    errorBox.hidden = true;
    const data = formData();
    for (const option of document.getElementById('print-unit').options) {
      if (!await order(Object.assign({}, data, {unit: option.value}))) break;
    }
  });

  zipButton.addEventListener('click', downloadAll);

  const initial = JSON.parse(document.getElementById('print-jobs-data').textContent);
  initial.reverse().forEach(job => {
    render(job);
    if (job.status === 'queued' || job.status === 'running') poll(job.id);
  });
  window.printPage = {jobs: () => Array.from(jobs.values())};
})();
